"""pulumi-std functions (pure functions served by the `std` provider) used the way converted Terraform code does."""
import pulumi
import pulumi_aws as aws
import pulumi_std as std

eip = aws.ec2.Eip("nat", domain="vpc")
access_cidrs = ["203.0.113.10/32"]

cidrs = std.concat_output(input=[
    access_cidrs,
    [eip.public_ip.apply(lambda ip: f"{ip}/32")],
]).apply(lambda invoke: [cidr for cidr in invoke.result if cidr is not None])

joined = std.join_output(separator=",", input=["a", "b"]).apply(lambda invoke: invoke.result.split(","))

sg = aws.ec2.SecurityGroup("api", ingress=[aws.ec2.SecurityGroupIngressArgs(
    protocol="tcp", from_port=443, to_port=443, cidr_blocks=cidrs)])
pulumi.export("cidrs", cidrs)
pulumi.export("parts", joined)
