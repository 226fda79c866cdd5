"""Two sites from one component."""

import pulumi

from components.site import StaticSite

blog = StaticSite("blog")
shop = StaticSite("shop")
pulumi.export("buckets", [blog.bucket.id, shop.bucket.id])
