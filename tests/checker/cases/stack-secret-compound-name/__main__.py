import pulumi
import pulumi_aws as aws

vpn = pulumi.Config("vpn")
gateway = aws.ec2.CustomerGateway("office", bgp_asn="65000", ip_address="203.0.113.10", type="ipsec.1")
pulumi.export("stack", pulumi.get_stack())
pulumi.export("tunnel1_cidr", vpn.require("tunnel1_inside_cidr"))
pulumi.export("tunnel1_key", vpn.get_secret("tunnel1_preshared_key"))
