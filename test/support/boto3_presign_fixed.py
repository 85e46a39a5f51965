"""boto3's generate_presigned_url at a fixed signing time, for comparing URLs.

Reads one JSON object on stdin: {"requests": [...]}, each request
  {"connection": {"endpoint", "region", "pathStyle", "accessKeyId", "secretAccessKey", "sessionToken"?},
   "op": "put" | "get" | "part", "bucket", "key", "expiresIn", "now": "2024-03-05T07:08:09Z",
   put:  "contentType", "contentLength", "checksum"?: {"param": "ContentMD5" | "ChecksumCRC32" | "ChecksumSHA256", "value"}
   get:  "contentDisposition"
   part: "uploadId", "partNumber", "contentLength"}
and prints a JSON list of URLs, one a request, in order.
"""
import datetime
import json
import sys
import types

import boto3
import botocore.auth
from botocore.config import Config

real_datetime = datetime.datetime
fixed = {"now": None}


class FixedDatetime(real_datetime):
    @classmethod
    def utcnow(cls):
        return fixed["now"]


# botocore.auth reads the clock as datetime.datetime.utcnow(): give it the request's signing time.
botocore.auth.datetime = types.SimpleNamespace(datetime=FixedDatetime)

clients = {}


def client_for(conn):
    key = json.dumps(conn, sort_keys=True)
    if key not in clients:
        session = boto3.session.Session(
            aws_access_key_id=conn["accessKeyId"],
            aws_secret_access_key=conn["secretAccessKey"],
            aws_session_token=conn.get("sessionToken"),
            region_name=conn["region"] or "us-east-1",
        )
        endpoint = conn["endpoint"] or None
        if not endpoint and not conn["pathStyle"]:
            # botocore presigns virtual-hosted AWS URLs at the legacy global host (bucket.s3.amazonaws.com);
            # the JavaScript SDK's endpoint rules give the regional one. Ask boto3 for that host too.
            endpoint = "https://s3.%s.amazonaws.com" % (conn["region"] or "us-east-1")
        clients[key] = session.client(
            "s3",
            endpoint_url=endpoint,
            config=Config(signature_version="s3v4", s3={"addressing_style": "path" if conn["pathStyle"] else "virtual"}),
        )
    return clients[key]


def presign(req):
    fixed["now"] = real_datetime.strptime(req["now"], "%Y-%m-%dT%H:%M:%SZ")
    client = client_for(req["connection"])
    if req["op"] == "put":
        params = {"Bucket": req["bucket"], "Key": req["key"], "ContentType": req["contentType"], "ContentLength": req["contentLength"]}
        if "checksum" in req:
            params[req["checksum"]["param"]] = req["checksum"]["value"]
        return client.generate_presigned_url("put_object", Params=params, ExpiresIn=req["expiresIn"])
    if req["op"] == "get":
        params = {"Bucket": req["bucket"], "Key": req["key"], "ResponseContentDisposition": req["contentDisposition"]}
        return client.generate_presigned_url("get_object", Params=params, ExpiresIn=req["expiresIn"])
    params = {
        "Bucket": req["bucket"],
        "Key": req["key"],
        "UploadId": req["uploadId"],
        "PartNumber": req["partNumber"],
        "ContentLength": req["contentLength"],
    }
    return client.generate_presigned_url("upload_part", Params=params, ExpiresIn=req["expiresIn"])


print(json.dumps([presign(r) for r in json.load(sys.stdin)["requests"]]))
