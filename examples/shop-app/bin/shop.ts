#!/usr/bin/env node
import * as cdk from 'aws-cdk-lib';
import { ShopDataStack } from '../lib/data-stack';
import { ShopNetworkStack } from '../lib/network-stack';

const app = new cdk.App();
const env = { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION };

const network = new ShopNetworkStack(app, 'ShopProdNetwork', { env });
new ShopDataStack(app, 'ShopProdData', { env, vpc: network.vpc });
