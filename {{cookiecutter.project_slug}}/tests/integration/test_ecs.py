"""The deployed ECS service: insights on, tasks private, circuit breaker with rollback, tasks running from an image
the network reaches, credentials from Secrets Manager only."""


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


def test_tasks_start_from_the_image_the_network_reaches(outputs, aws_session):
    ecs = aws_session.client("ecs")
    (service,) = ecs.describe_services(cluster=outputs["ecs_cluster_arn"], services=[outputs["ecs_service_name"]])[
        "services"
    ]
    definition = ecs.describe_task_definition(taskDefinition=service["taskDefinition"])["taskDefinition"]
    (container,) = definition["containerDefinitions"]
    assert container["image"] == outputs["ecs_image"]
    # The deployment finished: its tasks pulled the image and passed the load balancer's health checks.
    (primary,) = [deployment for deployment in service["deployments"] if deployment["status"] == "PRIMARY"]
    assert primary["rolloutState"] == "COMPLETED"
    assert service["runningCount"] == service["desiredCount"]


def test_credentials_reach_the_container_only_from_secrets_manager(outputs, aws_session):
    ecs = aws_session.client("ecs")
    (service,) = ecs.describe_services(cluster=outputs["ecs_cluster_arn"], services=[outputs["ecs_service_name"]])[
        "services"
    ]
    (container,) = ecs.describe_task_definition(taskDefinition=service["taskDefinition"])["taskDefinition"][
        "containerDefinitions"
    ]
    for secret in container.get("secrets", []):
        assert secret["valueFrom"].startswith("arn:") and ":secretsmanager:" in secret["valueFrom"]
    names = [variable["name"] for variable in container.get("environment", [])]
    assert not any(word in name for name in names for word in ("PASSWORD", "TOKEN", "SECRET"))
