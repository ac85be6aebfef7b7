import * as cdk from 'aws-cdk-lib';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import * as rds from 'aws-cdk-lib/aws-rds';
import { Construct } from 'constructs';
import { DB_PORT, baseBucketProps } from './constants';

export interface ShopDataStackProps extends cdk.StackProps {
  readonly vpc: ec2.IVpc;
}

export class ShopDataStack extends cdk.Stack {
  constructor(scope: Construct, id: string, props: ShopDataStackProps) {
    super(scope, id, props);

    const dbSecurityGroup = new ec2.SecurityGroup(this, 'DbSecurityGroup', { vpc: props.vpc });
    // Opened "temporarily" for a migration tool, never closed again.
    dbSecurityGroup.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(DB_PORT), 'migration');

    new rds.DatabaseInstance(this, 'Orders', {
      engine: rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_16_4 }),
      vpc: props.vpc,
      securityGroups: [dbSecurityGroup],
      multiAz: true,
      removalPolicy: cdk.RemovalPolicy.DESTROY,
    });

    new Bucket(this, 'Invoices', { ...baseBucketProps });

    new autoscaling.AutoScalingGroup(this, 'Workers', {
      vpc: props.vpc,
      instanceType: ec2.InstanceType.of(ec2.InstanceClass.M6I, ec2.InstanceSize.LARGE),
      machineImage: ec2.MachineImage.latestAmazonLinux2023(),
      minCapacity: 2,
      maxCapacity: 8,
    });
  }
}
