"""A plain Scrapy crawl of one site for the benchmark: follows every link
on the same host, keeps nothing. Run: scrapy runspider scrapy_spider.py
-a start=URL -s CONCURRENT_REQUESTS=16; prints the page count at the end."""
import scrapy
from scrapy.linkextractors import LinkExtractor
from urllib.parse import urlparse


class Site(scrapy.Spider):
    name = "site"
    custom_settings = {
        "LOG_LEVEL": "ERROR",
        "ROBOTSTXT_OBEY": True,
        "CONCURRENT_REQUESTS": 16,
        "CONCURRENT_REQUESTS_PER_DOMAIN": 16,
        "TELNETCONSOLE_ENABLED": False,
        "HTTPCACHE_ENABLED": False,
        "COOKIES_ENABLED": False,
        "RETRY_ENABLED": False,
    }

    def __init__(self, start, **kw):
        super().__init__(**kw)
        self.start_urls = [start]
        self.host = urlparse(start).netloc
        self.links = LinkExtractor(deny_extensions=[])
        self.pages = 0

    def parse(self, response):
        self.pages += 1
        if not hasattr(response, "text"):
            return
        for link in self.links.extract_links(response):
            if urlparse(link.url).netloc == self.host:  # same host and port
                yield scrapy.Request(link.url, callback=self.parse)

    def closed(self, reason):
        print("SCRAPY_PAGES %d" % self.pages)
