"""The Scrapy side of the benchmark: crawl one host, follow every <a href>, keep nothing.

usage: scrapy runspider bench/scrapy_bench.py -a start_url=URL \
           -s CONCURRENT_REQUESTS=N -s CONCURRENT_REQUESTS_PER_DOMAIN=N
       scrapy runspider bench/scrapy_bench.py -a seeds=FILE ...   (one URL a line: bench/hosts.py)

Scope matches the other crawlers in bench/run.sh: each page's links are followed on its own
host and port only, unlimited depth, robots.txt obeyed, only <a href> links (no page
requisites), no bodies or items saved.
"""
from urllib.parse import urlsplit

import scrapy
from scrapy.http import HtmlResponse


class BenchSpider(scrapy.Spider):
    name = "bench"
    # Spider-level defaults; -s on the command line overrides them (higher priority).
    custom_settings = {
        "CONCURRENT_REQUESTS": 10,
        "CONCURRENT_REQUESTS_PER_DOMAIN": 10,
        "CONCURRENT_REQUESTS_PER_IP": 0,
        "ROBOTSTXT_OBEY": True,
        "DEPTH_LIMIT": 0,
        "DOWNLOAD_DELAY": 0,
        "AUTOTHROTTLE_ENABLED": False,
        "HTTPCACHE_ENABLED": False,
        "TELNETCONSOLE_ENABLED": False,
        "LOG_LEVEL": "ERROR",
        "FEEDS": {},
    }

    def __init__(self, start_url=None, seeds=None, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if seeds:
            with open(seeds) as f:
                self.start_urls_ = [line.strip() for line in f if line.strip()]
        elif start_url:
            self.start_urls_ = [start_url]
        else:
            raise ValueError("pass -a start_url=http://127.0.0.1:PORT/index.html or -a seeds=FILE")
        # Links are followed on the host and port of the page they are on, like asyncfetch's default
        # scope; allowed_domains alone would also accept other ports on 127.0.0.1.
        self.allowed_domains = sorted({urlsplit(u).hostname for u in self.start_urls_})

    def start_requests(self):
        # Scrapy's default start request skips the duplicate filter, so a page linking
        # back to the start URL would fetch it twice; the other crawlers fetch it once.
        for url in self.start_urls_:
            yield scrapy.Request(url, callback=self.parse)

    def parse(self, response):
        # Only HTML is parsed for links, as wget2 does; other files are fetched and dropped.
        if not isinstance(response, HtmlResponse):
            return
        origin = urlsplit(response.url).netloc
        for href in response.css("a::attr(href)").getall():
            url = response.urljoin(href)
            if urlsplit(url).netloc == origin:
                yield scrapy.Request(url, callback=self.parse)
