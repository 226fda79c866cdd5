import pulumi
import pulumi_awsx as awsx

# awsx.lb.ApplicationLoadBalancer is a multi-language component: its outputs come from the awsx plugin.
lb = awsx.lb.ApplicationLoadBalancer("web")
pulumi.export("url", lb.load_balancer.dns_name.apply(lambda name: f"http://{name}"))
pulumi.export("stack", pulumi.get_stack())
