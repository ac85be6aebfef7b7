"""The evaluator: what each expression form evaluates to, and Unknown where it must."""
from rules.model import values as v
from rules.model.cdk import instance_type, peer_anywhere, port_range, duration_seconds
from tests.helpers import single

HEADER = "import * as ec2 from 'aws-cdk-lib/aws-ec2';\nimport * as cdk from 'aws-cdk-lib';\n"


def value_of(body: str, name: str = "x"):
    f = single(HEADER + body)
    return f.exported_value(name)


def test_literals():
    assert v.literal(value_of("export const x = 'a';")) == "a"
    assert v.literal(value_of("export const x = 1_000;")) == 1000
    assert v.literal(value_of("export const x = 0x10;")) == 16
    assert v.literal(value_of("export const x = 2.5;")) == 2.5
    assert v.literal(value_of("export const x = true;")) is True
    assert v.literal(value_of("export const x = null;"), "sentinel") is None
    assert v.literal(value_of("export const x = -3;")) == -3
    assert v.literal(value_of("export const x = 20 * 1024;")) == 20480


def test_const_binding_in_function_scope_and_shadowing():
    f = single(HEADER + """
const port = 1;
export function build() {
  const port = 5432;
  return ec2.Port.tcp(port);
}
""")
    call = next(n for n in _walk(f.root) if n.type == "call_expression")
    assert port_range(f.eval(call)).low == 5432


def test_let_reassigned_is_unknown_but_let_once_is_known():
    assert isinstance(value_of("let y = 1;\ny = 2;\nexport const x = y;"), v.Unknown)
    assert v.literal(value_of("let y = 7;\nexport const x = y;")) == 7


def test_objects_shorthand_spreads_and_overrides():
    obj = value_of("const vpcId = 'vpc-1';\nconst base = { multiAz: true, a: 1 };\n"
                   "export const x = { ...base, multiAz: false, vpcId };")
    assert isinstance(obj, v.Obj) and not obj.open
    assert {k: v.literal(e) for k, e in obj.entries.items()} == {"multiAz": False, "a": 1, "vpcId": "vpc-1"}


def test_unknown_spread_makes_the_object_open():
    obj = value_of("declare function make(): any;\nexport const x = { ...make(), multiAz: false };")
    assert isinstance(obj, v.Obj) and obj.open
    assert isinstance(obj.get("storageEncrypted"), v.Unknown)
    assert v.literal(obj.get("multiAz")) is False


def test_enum_members_and_static_calls():
    assert value_of("export const x = ec2.SubnetType.PUBLIC;").fqn == "aws_ec2.SubnetType.PUBLIC"
    assert duration_seconds(value_of("export const x = cdk.Duration.days(7);")) == 7 * 86400
    assert peer_anywhere(value_of("export const x = ec2.Peer.anyIpv4();")) == "0.0.0.0/0"
    assert peer_anywhere(value_of("export const x = ec2.Peer.ipv4('0.0.0.0/0');")) == "0.0.0.0/0"
    assert peer_anywhere(value_of("export const x = ec2.Peer.ipv4('10.0.0.0/8');")) is None
    assert port_range(value_of("export const x = ec2.Port.allTcp();")).is_all


def test_instance_types():
    assert instance_type(value_of(
        "export const x = ec2.InstanceType.of(ec2.InstanceClass.T3, ec2.InstanceSize.MICRO);")) == "t3.micro"
    assert instance_type(value_of(
        "export const x = ec2.InstanceType.of(ec2.InstanceClass.BURSTABLE3, ec2.InstanceSize.SMALL);")) == "t3.small"
    assert instance_type(value_of("export const x = new ec2.InstanceType('t3.micro');")) == "t3.micro"


def test_templates():
    assert v.literal(value_of("const env = 'prod';\nexport const x = `app-${env}`;")) == "app-prod"
    assert isinstance(value_of("declare const env: string;\nexport const x = `app-${env}`;"), v.Template)


def test_ternary_keeps_both_branches_and_condition():
    cond = value_of("declare const isProd: boolean;\nexport const x = isProd ? 3 : 1;")
    assert isinstance(cond, v.Cond)
    assert [v.literal(b) for b in v.branches(cond)] == [3, 1]


def test_nullish_and_or_defaults():
    assert v.literal(value_of("const a = undefined;\nexport const x = a ?? 5;")) == 5
    assert v.literal(value_of("const a = 2;\nexport const x = a || 5;")) == 2
    assert isinstance(value_of("export const x = process.env.PORT ?? 5;"), v.Unknown)


def test_process_env_is_an_env_ref():
    value = value_of("export const x = process.env.STAGE;")
    assert isinstance(value, v.EnvRef) and value.name == "STAGE"


def test_function_results_are_unknown_unless_the_body_is_one_return():
    value = value_of("function f(a: number) { if (a) { return 1; } return 2; }\nexport const x = f(1);")
    assert isinstance(value, v.Call) and value.fqn is None and not value.callee.known
    assert v.literal(value_of("function f() { return 1; }\nexport const x = f();")) == 1


def test_destructuring_from_objects():
    assert v.literal(value_of("const cfg = { a: { b: 5 } };\nconst { a: { b } } = cfg;\nexport const x = b;")) == 5
    assert v.literal(value_of("const cfg = {};\nconst { port = 80 } = cfg;\nexport const x = port;")) == 80


def test_this_field_assigned_once_is_followed():
    f = single(HEADER + """
export class S extends cdk.Stack {
  private readonly port = 5432;
  build() { return ec2.Port.tcp(this.port); }
}
""")
    call = next(n for n in _walk(f.root) if n.type == "call_expression")
    assert port_range(f.eval(call)).low == 5432


def test_recursive_definition_is_unknown_not_a_crash():
    assert isinstance(value_of("const a: any = b;\nconst b: any = a;\nexport const x = a;"), v.Unknown)


def _walk(node):
    from rules.parsing import walk
    return walk(node)


def probed(body: str):
    """The value of the argument of `probe(...)` where it is written (inside loops and callbacks)."""
    f = single(HEADER + "declare function probe(x: unknown): void;\n" + body)
    call = next(n for n in f.nodes("call_expression") if n.child_by_field_name("function").text == b"probe")
    return f.eval(call.child_by_field_name("arguments").named_children[0])


def literals(value):
    return [v.literal(b) for b in v.branches(value)]


def test_a_loop_variable_takes_each_element_of_a_known_array():
    assert literals(probed("for (const port of [22, 3389]) { probe(port); }")) == [22, 3389]
    assert literals(probed("const PORTS = [80, 443] as const;\nfor (const p of PORTS) probe(p);")) == [80, 443]
    assert literals(probed("for (const [name, port] of [['ssh', 22], ['rdp', 3389]]) probe(port);")) == [22, 3389]
    assert literals(probed("const P = { ssh: 22, rdp: 3389 };\nfor (const [k, n] of Object.entries(P)) probe(k);")) \
        == ["ssh", "rdp"]


def test_callbacks_of_array_methods_take_each_element():
    assert literals(probed("[5432, 6379].forEach((port) => probe(port));")) == [5432, 6379]
    assert literals(probed("const T = ['a', 'b'];\nT.filter(t => { probe(t); return true; });")) == ["a", "b"]


def test_map_over_a_known_array_evaluates_the_callback_per_element():
    value = value_of("const TIERS = ['ingest', 'render'] as const;\n"
                     "export const x = [{ name: 'public' }, ...TIERS.map((tier) => ({ name: tier, cidrMask: 20 }))];")
    assert isinstance(value, v.Arr) and not value.open
    assert [v.literal(item.get("name")) for item in value.items] == ["public", "ingest", "render"]


def test_loops_over_what_cannot_be_known_stay_unknown():
    assert isinstance(probed("declare const ports: number[];\nfor (const p of ports) probe(p);"), v.Unknown)
    assert isinstance(probed("for (const k in { a: 1 }) probe(k);"), v.Unknown)
    assert isinstance(probed("for (let p of [1, 2]) { probe(p); }"), v.Unknown)
    assert isinstance(probed("declare const ports: number[];\nports.forEach((p) => probe(p));"), v.Unknown)


def test_a_config_object_indexed_by_an_unknown_key_is_any_of_its_entries():
    from rules.config import Config
    from rules.model.context import Context
    f = single(HEADER + "declare const stage: string;\n"
                        "const STAGES = { dev: { natGateways: 1 }, staging: { natGateways: 1 }, prod: { natGateways: 3 } };\n"
                        "export const x = STAGES[stage].natGateways;\n")
    value = f.exported_value("x")
    assert literals(value) == [1, 1, 3]
    assert v.literal(Context(f.project, Config()).production_branch(value)) == 3


def test_a_caller_value_with_a_default_keeps_the_default_as_an_alternative():
    f = single(HEADER + "export class Db {\n  constructor(props: { multiAz?: boolean }) {\n"
                        "    probe(props.multiAz ?? false);\n  }\n}\ndeclare function probe(x: unknown): void;\n")
    call = next(n for n in f.nodes("call_expression") if n.child_by_field_name("function").text == b"probe")
    value = f.eval(call.child_by_field_name("arguments").named_children[0])
    assert isinstance(value, v.Cond) and v.literal(value.otherwise) is False
    assert not isinstance(value.then, v.Lit)          # the caller's value stays unknown
