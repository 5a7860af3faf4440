"""Fixture for python.infra.destroy: `ruleid` lines must produce it, `ok` lines must not."""

raise SystemExit("codeward rule fixture: read by the analyzer, never run")

import boto3
from kubernetes import client

ec2 = boto3.client("ec2")
# ruleid: python.infra.destroy
ec2.terminate_instances(InstanceIds=["i-0abc", "i-0def"])
# ruleid: python.infra.destroy
boto3.client("cloudformation").delete_stack(StackName="orders-prod")
# ruleid: python.infra.destroy
client.CoreV1Api().delete_namespace(name="payments")
# ok: python.infra.destroy
client.CoreV1Api().delete_namespaced_pod(name="worker-1", namespace="preview")
# ok: python.infra.destroy
ec2.describe_instances(InstanceIds=["i-0abc"])
