"""RunPod Serverless handler for Kiln's video jobs: runs a ComfyUI graph and uploads the result.

Kiln sends (see dev.kiln.generations.Dispatches):
    {"workflow": name, "prompt": <ComfyUI API graph>, "parameters": {...},
     "outputs": [{"name": "video", "content_type": "video/mp4", "upload_url": <presigned PUT>}],
     "progress_url": <Kiln URL with the job's token>}
and gets back {"outputs": [{"name", "size", "content_type"}]}. The bytes go straight to the bucket
through the presigned URL; Kiln checks they are there before it believes the job succeeded. Nothing
secret is in this image: the URLs carry short-lived signatures only.
"""
import json
import os
import time
import urllib.error
import urllib.request

COMFY = os.environ.get("COMFY_URL", "http://127.0.0.1:8188")
OUTPUT_DIR = os.environ.get("COMFY_OUTPUT_DIR", "/comfyui/output")
POLL_SECONDS = float(os.environ.get("COMFY_POLL_SECONDS", "2"))


class JobError(Exception):
    """The job cannot produce its outputs; RunPod marks it FAILED with this message."""


def _request(method, url, body=None, headers=None, timeout=60):
    data = json.dumps(body).encode() if isinstance(body, (dict, list)) else body
    request = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    if isinstance(body, (dict, list)):
        request.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(request, timeout=timeout) as response:
        raw = response.read()
        return json.loads(raw) if raw and response.headers.get_content_type() == "application/json" else raw


def report_progress(progress_url, percent):
    """Progress is best effort: a lost report only makes the bar jump later."""
    try:
        _request("POST", progress_url, {"progress": int(percent)}, timeout=10)
    except (urllib.error.URLError, OSError):
        pass


def run_graph(graph, progress_url):
    """Queues the graph in ComfyUI and waits for it; returns the files it wrote."""
    queued = _request("POST", COMFY + "/prompt", {"prompt": graph})
    prompt_id = queued["prompt_id"]
    nodes = max(len(graph), 1)
    reported = 0
    while True:
        history = _request("GET", COMFY + "/history/" + prompt_id)
        entry = history.get(prompt_id) if isinstance(history, dict) else None
        if entry:
            status = entry.get("status", {})
            if status.get("status_str") == "error":
                raise JobError("ComfyUI failed: " + json.dumps(status.get("messages", []))[:500])
            if status.get("completed"):
                return _files(entry.get("outputs", {}))
            done = len(entry.get("outputs", {}))
            percent = min(95, 100 * done // nodes)
            if percent > reported:
                reported = percent
                report_progress(progress_url, percent)
        time.sleep(POLL_SECONDS)


def _files(outputs):
    files = []
    for node in outputs.values():
        for kind in ("gifs", "videos", "images"):
            for item in node.get(kind, []):
                folder = os.path.join(OUTPUT_DIR, item.get("subfolder", ""))
                files.append(os.path.join(folder, item["filename"]))
    return files


def upload(path, output):
    with open(path, "rb") as file:
        body = file.read()
    if not body:
        raise JobError("ComfyUI wrote an empty file for " + output["name"])
    _request("PUT", output["upload_url"], body, {"Content-Type": output["content_type"]}, timeout=600)
    return {"name": output["name"], "size": len(body), "content_type": output["content_type"]}


def handler(job):
    job_input = job["input"]
    outputs = job_input["outputs"]
    report_progress(job_input["progress_url"], 1)
    files = [path for path in run_graph(job_input["prompt"], job_input["progress_url"]) if path.endswith(".mp4")]
    if len(files) < len(outputs):
        raise JobError("the workflow produced %d video file(s), %d expected" % (len(files), len(outputs)))
    uploaded = [upload(path, output) for path, output in zip(files, outputs)]
    report_progress(job_input["progress_url"], 100)
    return {"outputs": uploaded}


if __name__ == "__main__":
    import runpod  # only inside the image

    runpod.serverless.start({"handler": handler})
