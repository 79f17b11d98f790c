"""Scrapy settings for orgnews. Every default lives here, each one commented."""

BOT_NAME = "orgnews"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"
