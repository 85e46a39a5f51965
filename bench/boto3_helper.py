"""The common FastAPI + boto3 presign service's signer, and `aws s3 cp`'s uploader, timed from inside Python.

Started once by the bench (interpreter start-up is never timed). Reads one
JSON object per line on stdin and answers one JSON object per line:

  {"op": "init", "endpoint": ..., "region": ..., "accessKeyId": ..., "secretAccessKey": ..., "bucket": ...}
  {"op": "sample"}                 -> {"put": url, "get": url}   (file 0, signed like the timed ones)
  {"op": "sign", "n": 500}         -> {"usPerFile": ..., "seconds": ...}
      per file: generate_presigned_url('put_object') + generate_presigned_url('get_object'),
      the same two URLs the extension's background signs for a file (bench/inject/worker-signer.ts)
  {"op": "upload", "path": ..., "key": ...} -> {"seconds": ...}
      client.upload_file with the default TransferConfig (8 MiB threshold and parts, 10 threads),
      which is what `aws s3 cp` does
"""
import json
import sys
import time

try:
    import boto3
    from botocore.config import Config
except ImportError as e:  # the bench says so and skips only the boto3 baselines
    print(json.dumps({"error": "boto3 missing: %s" % e}), flush=True)
    sys.exit(3)

client = None
bucket = None

# The file the extension's signer signs for in the bench (bench/inject/shared.ts SIGNED_FILE).
SIZE = 1024
TYPE = "application/octet-stream"
NAME = "file.bin"
LINK_SECONDS = 3600


def put_url(i):
    return client.generate_presigned_url(
        "put_object",
        Params={"Bucket": bucket, "Key": "bench/%d/%s" % (i, NAME), "ContentType": TYPE, "ContentLength": SIZE},
        ExpiresIn=300,
    )


def get_url(i):
    return client.generate_presigned_url(
        "get_object",
        Params={
            "Bucket": bucket,
            "Key": "bench/%d/%s" % (i, NAME),
            "ResponseContentDisposition": "attachment; filename=\"%s\"; filename*=UTF-8''%s" % (NAME, NAME),
        },
        ExpiresIn=LINK_SECONDS,
    )


def sign(n):
    start = time.perf_counter()
    for i in range(n):
        put_url(i)
        get_url(i)
    seconds = time.perf_counter() - start
    return {"usPerFile": seconds * 1e6 / n, "seconds": seconds}


def upload(path, key):
    start = time.perf_counter()
    client.upload_file(path, bucket, key)  # default TransferConfig, as `aws s3 cp`
    return {"seconds": time.perf_counter() - start}


print(json.dumps({"ready": True, "boto3": boto3.__version__}), flush=True)
for line in sys.stdin:
    msg = json.loads(line)
    op = msg["op"]
    try:
        if op == "init":
            bucket = msg["bucket"]
            client = boto3.session.Session(
                aws_access_key_id=msg["accessKeyId"],
                aws_secret_access_key=msg["secretAccessKey"],
                region_name=msg["region"],
            ).client(
                "s3",
                endpoint_url=msg["endpoint"],
                # Over plain http botocore SHA-256-hashes every uploaded byte into the signature; over
                # https (AWS S3) it sends UNSIGNED-PAYLOAD with a Content-MD5 instead. Say so explicitly,
                # so the loopback run costs boto3 what a real `aws s3 cp` costs.
                config=Config(signature_version="s3v4", s3={"addressing_style": "path", "payload_signing_enabled": False}),
            )
            # Warm up: the first call loads the service model and builds the signer.
            sign(50)
            out = {"ok": True}
        elif op == "sample":
            out = {"put": put_url(0), "get": get_url(0)}
        elif op == "sign":
            out = sign(msg["n"])
        elif op == "upload":
            out = upload(msg["path"], msg["key"])
        else:
            out = {"error": "unknown op %r" % op}
    except Exception as e:  # reported to the bench, which marks the row
        out = {"error": "%s: %s" % (type(e).__name__, e)}
    print(json.dumps(out), flush=True)
