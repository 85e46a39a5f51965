"""The seed's signer, timed from inside Python: boto3 generate_presigned_url (SigV4).

Started once by bench/run.ts (interpreter start-up is not timed). Reads one
JSON object per line on stdin and answers one JSON object per line:

  {"op": "init", "endpoint": ..., "region": ..., "accessKeyId": ..., "secretAccessKey": ..., "bucket": ...}
  {"op": "sample"}          -> {"put": url, "get": url}   (signed like the timed ones)
  {"op": "put", "n": 2000}  -> {"perSecond": ..., "seconds": ...}
  {"op": "get", "n": 2000}  -> {"perSecond": ..., "seconds": ...}
"""
import json
import sys
import time

try:
    import boto3
    from botocore.config import Config
except ImportError as e:  # the bench says so and skips only this baseline
    print(json.dumps({"error": "boto3 missing: %s" % e}), flush=True)
    sys.exit(3)

client = None
bucket = None


def put_url(i):
    return client.generate_presigned_url(
        "put_object",
        Params={
            "Bucket": bucket,
            "Key": "bench/%d/file.bin" % i,
            "ContentType": "application/octet-stream",
            "ContentLength": 1024,
        },
        ExpiresIn=300,
    )


def get_url(i):
    return client.generate_presigned_url(
        "get_object",
        Params={
            "Bucket": bucket,
            "Key": "bench/%d/file.bin" % i,
            "ResponseContentDisposition": "attachment; filename=\"file.bin\"; filename*=UTF-8''file.bin",
        },
        ExpiresIn=3600,
    )


def timed(fn, n):
    start = time.perf_counter()
    for i in range(n):
        fn(i)
    seconds = time.perf_counter() - start
    return {"perSecond": n / seconds, "seconds": seconds}


print(json.dumps({"ready": True, "boto3": boto3.__version__}), flush=True)
for line in sys.stdin:
    msg = json.loads(line)
    op = msg["op"]
    if op == "init":
        bucket = msg["bucket"]
        client = boto3.session.Session(
            aws_access_key_id=msg["accessKeyId"],
            aws_secret_access_key=msg["secretAccessKey"],
            region_name=msg["region"],
        ).client(
            "s3",
            endpoint_url=msg["endpoint"],
            config=Config(signature_version="s3v4", s3={"addressing_style": "path"}),
        )
        # Warm up: the first call loads the service model and builds the signer.
        for i in range(50):
            put_url(i)
            get_url(i)
        out = {"ok": True}
    elif op == "sample":
        out = {"put": put_url(0), "get": get_url(0)}
    elif op == "put":
        out = timed(put_url, msg["n"])
    elif op == "get":
        out = timed(get_url, msg["n"])
    else:
        out = {"error": "unknown op %r" % op}
    print(json.dumps(out), flush=True)
