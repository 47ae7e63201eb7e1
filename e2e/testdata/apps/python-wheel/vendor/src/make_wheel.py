"""Builds vendor/wheels/quayside_greeting-1.0.0-py3-none-any.whl from
vendor/src/quayside_greeting, with the standard library only (a wheel is a zip
with METADATA, WHEEL and RECORD). Run from the sample's root:

    python3 vendor/src/make_wheel.py
"""
import base64
import hashlib
import os
import zipfile

NAME, VERSION = "quayside_greeting", "1.0.0"
DIST = f"{NAME}-{VERSION}.dist-info"
HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "wheels", f"{NAME}-{VERSION}-py3-none-any.whl")

METADATA = f"""Metadata-Version: 2.1
Name: quayside-greeting
Version: {VERSION}
Summary: A tiny package for Quayside's offline builder tests
"""
WHEEL = """Wheel-Version: 1.0
Generator: quayside make_wheel.py
Root-Is-Purelib: true
Tag: py3-none-any
"""


def digest(data):
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def main():
    files = {}
    src = os.path.join(HERE, NAME)
    for name in sorted(os.listdir(src)):
        if name.endswith(".py"):
            with open(os.path.join(src, name), "rb") as f:
                files[f"{NAME}/{name}"] = f.read()
    files[f"{DIST}/METADATA"] = METADATA.encode()
    files[f"{DIST}/WHEEL"] = WHEEL.encode()
    record = "".join(f"{p},{digest(d)},{len(d)}\n" for p, d in files.items())
    files[f"{DIST}/RECORD"] = (record + f"{DIST}/RECORD,,\n").encode()
    with zipfile.ZipFile(OUT, "w", zipfile.ZIP_DEFLATED) as z:
        for path, data in files.items():
            info = zipfile.ZipInfo(path, date_time=(1980, 1, 1, 0, 0, 0))
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data)
    print(OUT)


if __name__ == "__main__":
    main()
