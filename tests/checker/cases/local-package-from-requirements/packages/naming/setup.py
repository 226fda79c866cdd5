from setuptools import setup

setup(name="naming", version="0.1.0", packages=["naming"])
