"""Vocabularies shared by every app (names from GLOSSARY.md)."""

from django.db import models


class Category(models.TextChoices):
    """交易类别: the four public resources of seed 二(一), plus others added as they come."""

    ENGINEERING = "engineering", "工程建设"
    PROCUREMENT = "procurement", "政府采购"
    LAND = "land", "土地使用权"
    MINING = "mining", "矿业权"
    PROPERTY = "property", "国有产权"
    OTHER = "other", "其他公共资源"


class RegionLevel(models.TextChoices):
    PROVINCE = "province", "省级"
    CITY = "city", "市级"
    COUNTY = "county", "县级"
