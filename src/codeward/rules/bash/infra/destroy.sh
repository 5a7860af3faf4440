#!/bin/bash
# ruleid: bash.infra.destroy
kubectl delete namespace production
# ruleid: bash.infra.destroy
kubectl delete ns staging
# ruleid: bash.infra.destroy
kubectl -n prod delete deployments --all
# ruleid: bash.infra.destroy
helm uninstall payments -n prod
# ruleid: bash.infra.destroy
terraform destroy -auto-approve
# ruleid: bash.infra.destroy
terraform apply -destroy
# ruleid: bash.infra.destroy
aws ec2 terminate-instances --instance-ids i-0abc
# ruleid: bash.infra.destroy
gcloud projects delete my-project
# ruleid: bash.infra.destroy
pulumi destroy --yes

# ok: bash.infra.destroy
kubectl get namespaces
# ok: bash.infra.destroy
kubectl delete pod web-5d8f7
# ok: bash.infra.destroy
terraform plan
# ok: bash.infra.destroy
helm install payments ./chart
# ok: bash.infra.destroy
echo "terraform destroy"
