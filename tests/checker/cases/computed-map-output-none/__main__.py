import pulumi
import pulumi_aws as aws

# GraphQLApi.uris is a map AWS computes ({"GRAPHQL": "https://...", "REALTIME": "wss://..."}).
api = aws.appsync.GraphQLApi("api", authentication_type="API_KEY", schema="type Query { ping: String }")
pulumi.export("endpoint", api.uris["GRAPHQL"])
pulumi.export("stack", pulumi.get_stack())
