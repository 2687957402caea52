"""Runs handler.py against a fake ComfyUI and a fake bucket, both local HTTP servers.

python3 -m unittest discover -s gpu-image/tests
"""
import json
import os
import sys
import tempfile
import threading
import unittest
from http.server import BaseHTTPRequestHandler, HTTPServer

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
import handler  # noqa: E402


class Fake(BaseHTTPRequestHandler):
    uploads = {}
    progress = []
    fail = False

    def log_message(self, *args):
        pass

    def _json(self, body, status=200):
        raw = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        if self.path == "/prompt":
            self._json({"prompt_id": "p1"})
        elif self.path.startswith("/progress"):
            Fake.progress.append(body["progress"])
            self._json({"status": "running"})

    def do_GET(self):
        status = {"status_str": "error", "completed": False, "messages": ["boom"]} if Fake.fail \
            else {"status_str": "success", "completed": True}
        self._json({"p1": {"status": status, "outputs": {"9": {"gifs": [{"filename": "kiln.mp4", "subfolder": ""}]}}}})

    def do_PUT(self):
        Fake.uploads[self.path] = (self.headers["Content-Type"], self.rfile.read(int(self.headers["Content-Length"])))
        self.send_response(200)
        self.end_headers()


class HandlerTest(unittest.TestCase):

    def setUp(self):
        Fake.uploads, Fake.progress, Fake.fail = {}, [], False
        self.server = HTTPServer(("127.0.0.1", 0), Fake)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        base = "http://127.0.0.1:%d" % self.server.server_port
        self.outputs = tempfile.mkdtemp()
        with open(os.path.join(self.outputs, "kiln.mp4"), "wb") as video:
            video.write(b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 64)
        handler.COMFY, handler.OUTPUT_DIR, handler.POLL_SECONDS = base, self.outputs, 0.01
        self.job = {"input": {"workflow": "text-to-video", "prompt": {"1": {}}, "parameters": {},
                              "outputs": [{"name": "video", "content_type": "video/mp4",
                                           "upload_url": base + "/bucket/video.mp4?X-Amz-Signature=x"}],
                              "progress_url": base + "/progress?token=t"}}

    def tearDown(self):
        self.server.shutdown()

    def test_the_video_is_uploaded_through_its_presigned_url_and_described(self):
        result = handler.handler(self.job)

        self.assertEqual(result, {"outputs": [{"name": "video", "size": 76, "content_type": "video/mp4"}]})
        content_type, body = Fake.uploads["/bucket/video.mp4?X-Amz-Signature=x"]
        self.assertEqual(content_type, "video/mp4")
        self.assertEqual(body[4:8], b"ftyp")
        self.assertEqual(Fake.progress[0], 1)
        self.assertEqual(Fake.progress[-1], 100)

    def test_a_comfyui_error_fails_the_job_with_its_message(self):
        Fake.fail = True
        with self.assertRaisesRegex(handler.JobError, "boom"):
            handler.handler(self.job)
        self.assertEqual(Fake.uploads, {})


if __name__ == "__main__":
    unittest.main()
