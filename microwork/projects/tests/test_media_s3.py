"""The S3 path (MEDIA_STORAGE=s3), against a real S3 API server on the loopback (moto's):
files uploaded through the API land in the bucket, are read back through the signed media view,
in part for players, and never across organisations; a refused upload leaves the bucket as
it was."""

import boto3
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from moto.server import ThreadedMotoServer

from microwork.accounts import services as account_services
from microwork.accounts.access import access_organisation_for_requester
from microwork.projects.media import media_url
from microwork.projects.media.addresses import sign
from microwork.projects.models import MediaFile
from microwork.projects.tests.media_samples import JPEG, MP4, PNG, make_zip

BUCKET = "microwork-media"
KEYS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}


@pytest.fixture(scope="module")
def s3_endpoint():
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def bucket(s3_endpoint, settings):
    client = boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1", **KEYS)
    client.create_bucket(Bucket=BUCKET)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": BUCKET,
                "endpoint_url": s3_endpoint,
                "region_name": "us-east-1",
                "access_key": KEYS["aws_access_key_id"],
                "secret_key": KEYS["aws_secret_access_key"],
                "default_acl": None,
                "file_overwrite": False,
                "addressing_style": "path",
            },
        },
    }
    yield client
    for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        client.delete_object(Bucket=BUCKET, Key=item["Key"])
    client.delete_bucket(Bucket=BUCKET)


def _keys(client) -> list[str]:
    return sorted(item["Key"] for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", []))


def _upload(client, project, token, files):
    return client.post(
        f"/api/projects/{project.pk}/media",
        {"files": [SimpleUploadedFile(name, data) for name, data in files]},
        headers={"Authorization": f"Bearer {token}"},
    )


def test_the_storage_is_the_bucket(bucket):
    from django.core.files.storage import storages
    from storages.backends.s3 import S3Storage

    assert isinstance(storages["default"], S3Storage)
    default_storage.save("probe.txt", ContentFile(b"hello"))
    assert bucket.get_object(Bucket=BUCKET, Key="probe.txt")["Body"].read() == b"hello"


def test_upload_read_back_in_full_and_in_part(client, bucket, project, rita, rita_token):
    r = _upload(client, project, rita_token, [("cat.png", PNG), ("clip.mp4", MP4)])
    assert r.status_code == 201, r.content
    refs = {item["name"]: item["ref"] for item in r.json()}
    cat = MediaFile.objects.get(name="cat.png")
    assert _keys(bucket) == sorted(m.storage_name for m in MediaFile.objects.all())
    assert bucket.get_object(Bucket=BUCKET, Key=cat.storage_name)["Body"].read() == PNG

    client.force_login(rita)
    url = media_url(refs["cat.png"], user=rita)
    whole = client.get(url)
    assert whole.status_code == 200 and b"".join(whole.streaming_content) == PNG
    assert whole["Content-Length"] == str(len(PNG)) and whole["Content-Type"] == "image/png"
    assert whole["X-Content-Type-Options"] == "nosniff"
    part = client.get(media_url(refs["clip.mp4"], user=rita), headers={"Range": "bytes=4-11"})
    assert part.status_code == 206 and b"".join(part.streaming_content) == MP4[4:12]
    assert part["Content-Range"] == f"bytes 4-11/{len(MP4)}"
    outside = client.get(url, headers={"Range": f"bytes={len(PNG)}-"})
    assert outside.status_code == 416


def test_another_organisation_is_refused(client, bucket, project, rita_token, rob):
    r = _upload(client, project, rita_token, [("cat.png", PNG)])
    cat = MediaFile.objects.get()
    assert media_url(cat.ref, user=rob) == ""
    client.force_login(rob)
    forged = f"/media/{cat.storage_name}?t={sign(rob.pk, cat.storage_name)}"
    assert client.get(forged).status_code == 403
    # Nor may Rob upload to, or list, Rita's project.
    org = access_organisation_for_requester(user=rob)
    _t, key = account_services.api_token_create(user=rob, name="r", organisation=org)
    assert _upload(client, project, key, [("x.png", PNG)]).status_code == 404
    assert r.status_code == 201 and len(_keys(bucket)) == 1


def test_a_refused_upload_leaves_the_bucket_as_it_was(client, bucket, project, rita_token):
    r = _upload(client, project, rita_token, [("fine.png", PNG), ("liar.png", JPEG)])
    assert r.status_code == 400 and "liar.png" in r.json()["message"]
    assert _keys(bucket) == [] and not MediaFile.objects.exists()


def test_a_zip_beside_the_tasks_lands_in_the_bucket(client, bucket, project, rita):
    from django.urls import reverse

    client.force_login(rita)
    r = client.post(
        reverse("projects:upload", args=[project.pk]),
        {
            "file": SimpleUploadedFile("t.csv", b"image_url\ncat-17.png\n"),
            "media_zip": SimpleUploadedFile("m.zip", make_zip({"cat-17.png": PNG})),
        },
    )
    assert r.status_code == 302
    (cat,) = MediaFile.objects.all()
    assert project.tasks.get().data == {"image_url": cat.ref}
    assert _keys(bucket) == [cat.storage_name]
