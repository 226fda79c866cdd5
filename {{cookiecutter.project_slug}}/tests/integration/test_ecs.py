"""The deployed ECS service: insights on, tasks private, circuit breaker with rollback."""


def test_cluster_has_container_insights(outputs, aws_session):
    ecs = aws_session.client("ecs")
    (cluster,) = ecs.describe_clusters(clusters=[outputs["ecs_cluster_arn"]], include=["SETTINGS"])["clusters"]
    assert cluster["clusterName"] == outputs["ecs_cluster_name"]
    assert {"name": "containerInsights", "value": "enabled"} in cluster["settings"]


def test_service_runs_privately_behind_the_target_group(outputs, aws_session):
    ecs = aws_session.client("ecs")
    (service,) = ecs.describe_services(cluster=outputs["ecs_cluster_arn"], services=[outputs["ecs_service_name"]])[
        "services"
    ]
    network = service["networkConfiguration"]["awsvpcConfiguration"]
    assert network["assignPublicIp"] == "DISABLED"
    assert service["loadBalancers"][0]["targetGroupArn"] == outputs["target_group_arn"]
    breaker = service["deploymentConfiguration"]["deploymentCircuitBreaker"]
    assert breaker == {"enable": True, "rollback": True}
