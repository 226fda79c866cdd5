"""The deployed network: subnets exist in the VPC and its flow log is active."""


def test_subnets_belong_to_the_vpc(outputs, aws_session):
    ec2 = aws_session.client("ec2")
    subnet_ids = outputs["public_subnet_ids"] + outputs["private_subnet_ids"]
    subnets = ec2.describe_subnets(SubnetIds=subnet_ids)["Subnets"]
    assert {subnet["VpcId"] for subnet in subnets} == {outputs["vpc_id"]}


def test_flow_log_is_active(outputs, aws_session):
    ec2 = aws_session.client("ec2")
    logs = ec2.describe_flow_logs(FlowLogIds=[outputs["flow_log_id"]])["FlowLogs"]
    assert logs[0]["ResourceId"] == outputs["vpc_id"]
    assert logs[0]["FlowLogStatus"] == "ACTIVE"
    assert logs[0]["LogGroupName"] == outputs["flow_log_group_name"]
