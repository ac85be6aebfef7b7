"""gunicorn settings for the webhook receiver: `gunicorn -c deploy/gunicorn.conf.py`.

The app comes from `bot.app:wsgi()` (settings from the environment, CONTRACT.md).
With CDK_REVIEW_QUEUE=redis://... the web workers only verify, enqueue and answer 202;
run `cdk-review worker` processes for the reviews. With the embedded queue every
gunicorn worker process also runs review threads on the shared SQLite queue.
"""
import os

wsgi_app = "bot.app:wsgi()"
bind = f"{os.environ.get('HOST', '0.0.0.0')}:{os.environ.get('PORT', '8080')}"
# Webhook handling is I/O-light and quick: a few processes with threads cover bursts.
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
worker_class = "gthread"
# The app starts threads (embedded queue) and opens connections: build it in each
# worker, never in the master before fork.
preload_app = False
timeout = 30
graceful_timeout = 30
keepalive = 5
# GitHub sends at most 25 MB; Flask refuses more with 413 (MAX_CONTENT_LENGTH).
limit_request_field_size = 16384
accesslog = "-"
errorlog = "-"
# The access log never shows query strings or headers with secrets: GitHub puts none in the URL.
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(L)ss'
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
