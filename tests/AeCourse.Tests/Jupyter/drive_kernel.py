"""Drives the kit's Jupyter kernel with Jupyter's own client (jupyter_client's KernelManager and BlockingKernelClient),
through every message type the kernel serves, a forged signature, an interrupt during real training, a cell that
ignores its interrupt, a restart and a shutdown. Run by KitKernelTests with JUPYTER_PATH naming the kernelspec's folder;
argv: working folder, file the kernel's stderr goes to. Prints one line per check; exits non-zero at the first failure.
"""
import json
import os
import queue
import re
import sys
import time

from jupyter_client.manager import KernelManager
from jupyter_client.session import Session

folder, kernel_log = sys.argv[1], sys.argv[2]
TIMEOUT = 120


def check(condition, what, detail=""):
    if not condition:
        print(f"FAILED: {what} {detail}", flush=True)
        if km.is_alive():
            km.shutdown_kernel(now=True)
        sys.exit(1)
    print(f"ok: {what}", flush=True)


def execute(kc, code, **kwargs):
    """Runs code and returns (reply content, iopub messages of the request, in order)."""
    msg_id = kc.execute(code, **kwargs)
    return collect(kc, msg_id)


def collect(kc, msg_id, on_message=None):
    messages = []
    while True:
        msg = kc.get_iopub_msg(timeout=TIMEOUT)
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        messages.append(msg)
        if on_message:
            on_message(msg)
        if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
            break
    reply = kc.get_shell_msg(timeout=TIMEOUT)
    while reply["parent_header"].get("msg_id") != msg_id:
        reply = kc.get_shell_msg(timeout=TIMEOUT)
    return reply["content"], messages


def types(messages):
    return [m["msg_type"] for m in messages]


stderr = open(kernel_log, "w")
km = KernelManager(kernel_name=".net-csharp")
started = time.monotonic()
# The kernel's output goes to the log: inherited, it would keep the test's pipe open after this script ends.
km.start_kernel(cwd=folder, stdout=stderr, stderr=stderr)
kc = km.client()
kc.start_channels()
kc.wait_for_ready(timeout=TIMEOUT)
print(f"measure: start to ready {time.monotonic() - started:.2f} s", flush=True)
check(km.kernel_spec.interrupt_mode == "message", "the kernelspec asks for interrupts as messages")

# kernel_info
kc.kernel_info()
info = kc.get_shell_msg(timeout=TIMEOUT)
check(info["msg_type"] == "kernel_info_reply", "kernel_info_reply")
check(info["content"]["protocol_version"] == "5.3", "protocol 5.3", info["content"])
check(info["content"]["language_info"]["name"] == "C#", "language C#", info["content"]["language_info"])
check(info["header"]["version"] == "5.3", "messages carry version 5.3", info["header"])

# execute: stream, execute_input, execute_result, counts
reply, msgs = execute(kc, 'Console.WriteLine("hello from C#");\nvar latentDim = 8;\nlatentDim * 2')
check(reply["status"] == "ok" and reply["execution_count"] == 1, "execute_reply ok, count 1", reply)
check(types(msgs) == ["status", "execute_input", "stream", "execute_result", "status"], "iopub order busy, input, stream, result, idle", types(msgs))
check(msgs[2]["content"] == {"name": "stdout", "text": "hello from C#\n"}, "stdout stream", msgs[2]["content"])
check(msgs[3]["content"]["data"]["text/plain"] == "16" and msgs[3]["content"]["execution_count"] == 1, "execute_result", msgs[3]["content"])

reply, msgs = execute(kc, 'Console.WriteLine("quiet");', silent=True)
check(reply["status"] == "ok" and types(msgs) == ["status", "status"], "silent: no outputs, no execute_input", types(msgs))
reply, msgs = execute(kc, "latentDim + 1", store_history=False)
check(reply["execution_count"] == 1, "store_history=False leaves the count", reply)
reply, _ = execute(kc, "var z = latentDim;", user_expressions={"twice": "latentDim * 2", "bad": "nope +"})
check(reply["execution_count"] == 2, "count 2", reply)
check(reply["user_expressions"]["twice"]["status"] == "ok" and reply["user_expressions"]["twice"]["data"]["text/plain"] == "16", "user_expressions value", reply["user_expressions"])
check(reply["user_expressions"]["bad"]["status"] == "error", "user_expressions error", reply["user_expressions"]["bad"])

# display and update in place
reply, msgs = execute(kc, 'var shown = display("first");\nshown.Update("second");')
shown = [m for m in msgs if m["msg_type"] in ("display_data", "update_display_data")]
check([m["msg_type"] for m in shown] == ["display_data", "update_display_data"], "display then update", types(msgs))
check(shown[0]["content"]["transient"]["display_id"] == shown[1]["content"]["transient"]["display_id"], "the update names the display")
check(shown[1]["content"]["data"]["text/plain"] == "second", "updated content", shown[1]["content"])

# errors: runtime and compile
reply, msgs = execute(kc, 'throw new InvalidOperationException("no data");')
errors = [m for m in msgs if m["msg_type"] == "error"]
check(reply["status"] == "error" and reply["ename"] == "System.InvalidOperationException", "runtime error reply", reply)
check(len(errors) == 1 and any("cell 4" in line for line in errors[0]["content"]["traceback"]), "error traceback names the cell", errors)
reply, _ = execute(kc, 'int x = "text";')
check(reply["status"] == "error" and "line 1, column 9" in reply["evalue"], "compile error names line and column", reply)

# complete, inspect, is_complete, history, comm_info
kc.complete("Console.Wr", 10)
completion = kc.get_shell_msg(timeout=TIMEOUT)["content"]
check("WriteLine" in completion["matches"] and completion["cursor_start"] == 8 and completion["cursor_end"] == 10, "complete Console.Wr", completion)
timings = []
for _ in range(5):
    t = time.monotonic()
    kc.complete("lat", 3)
    c = kc.get_shell_msg(timeout=TIMEOUT)["content"]
    timings.append(time.monotonic() - t)
check("latentDim" in c["matches"], "completion sees an earlier cell's variable", c["matches"][:20])
print(f"measure: completion median {sorted(timings)[2] * 1000:.0f} ms", flush=True)
kc.inspect("Math.Sqrt", 9)
inspected = kc.get_shell_msg(timeout=TIMEOUT)["content"]
check(inspected["found"] and "Sqrt" in inspected["data"]["text/plain"], "inspect Math.Sqrt", inspected)
kc.is_complete("for (int i = 0; i < 3; i++) {")
verdict = kc.get_shell_msg(timeout=TIMEOUT)["content"]
check(verdict["status"] == "incomplete", "is_complete: open brace", verdict)
kc.is_complete("var y = 1;")
check(kc.get_shell_msg(timeout=TIMEOUT)["content"]["status"] == "complete", "is_complete: a statement")
kc.history(hist_access_type="tail", n=2)
history = kc.get_shell_msg(timeout=TIMEOUT)["content"]["history"]
check([h[1] for h in history] == [4, 5] and history[1][2] == 'int x = "text";', "history tail", history)
kc.comm_info()
check(kc.get_shell_msg(timeout=TIMEOUT)["content"]["comms"] == {}, "comm_info empty")

# trivial round trips
rounds = []
for _ in range(20):
    t = time.monotonic()
    execute(kc, "1", store_history=False)
    rounds.append(time.monotonic() - t)
print(f"measure: trivial execute median {sorted(rounds)[10] * 1000:.1f} ms", flush=True)

# a forged signature is rejected and never executed
marker = os.path.join(folder, "forged-ran")
forger = Session(key=b"not-the-key", username="attacker")
forger.send(kc.shell_channel.socket, "execute_request",
            {"code": f'System.IO.File.WriteAllText(@"{marker}", "x");', "silent": False, "store_history": True,
             "user_expressions": {}, "allow_stdin": False, "stop_on_error": True})
time.sleep(2)
check(not os.path.exists(marker), "a forged execute_request did not run")
try:
    forged_reply = kc.get_shell_msg(timeout=0.5)
except queue.Empty:
    forged_reply = None
check(forged_reply is None, "no reply to a forged request", forged_reply)

# an interrupt during real training
reply, _ = execute(kc, """#r "nuget: AeCourse"
using AeCourse.Models;
using AeCourse.Training;
using static TorchSharp.torch;
AeCourse.Runtime.Setup.Initialize(seed: 1, device: "cpu", quiet: true);
var x = rand(4096, 784);
var model = new DenseAutoencoder(784, [64], latentDim: 8);
var before = model.parameters().First().detach().clone();
var trainer = new Trainer(model, optim.Adam(model.parameters(), lr: 1e-3), (xb, _) => AeCourse.Losses.Reconstruction.BcePerPixel(model.forward(xb), xb));""")
check(reply["status"] == "ok", "training set-up", reply)
msg_id = kc.execute("var history = trainer.Fit(x, null, new TrainerOptions { Epochs = 100, BatchSize = 32 });")
updates = []
while len(updates) < 10:
    msg = kc.get_iopub_msg(timeout=TIMEOUT)
    if msg["parent_header"].get("msg_id") == msg_id and msg["msg_type"] == "update_display_data":
        updates.append(time.monotonic())
rate = (len(updates) - 1) / (updates[-1] - updates[0])
print(f"measure: progress updates {rate:.2f} per second", flush=True)
check(rate <= 4.5, "progress updates at most about 4 per second", rate)
interrupted = time.monotonic()
km.interrupt_kernel()
reply, msgs = collect(kc, msg_id)
stopped = time.monotonic() - interrupted
print(f"measure: interrupt to reply {stopped:.2f} s", flush=True)
check(stopped < 2, "the training cell ended within 2 s of the interrupt", stopped)
check(reply["status"] == "error" and re.search(r"interrupted after epoch \d+, batch \d+ of 128; the model keeps the weights", reply["evalue"]),
      "interrupted after epoch, batch", reply)
reply, msgs = execute(kc, "(model.parameters().First() - before).abs().max().item<float>() > 0")
result = [m for m in msgs if m["msg_type"] == "execute_result"]
check(result and result[0]["content"]["data"]["text/plain"] == "True", "the next cell sees the partly trained model", msgs)

# a loop that never checks: reported, and a restart ends it
msg_id = kc.execute("while (true) { }")
time.sleep(1)
km.interrupt_kernel()
warned = ""
deadline = time.monotonic() + 10
while "did not stop when interrupted" not in warned and time.monotonic() < deadline:
    msg = kc.get_iopub_msg(timeout=TIMEOUT)
    if msg["parent_header"].get("msg_id") == msg_id and msg["msg_type"] == "stream":
        warned += msg["content"]["text"]
check("did not stop when interrupted" in warned and "restart the kernel" in warned, "a loop that ignores the interrupt is reported", warned)
old_pid = km.provisioner.process.pid
km.restart_kernel(now=False)
kc.stop_channels()
kc = km.client()
kc.start_channels()
kc.wait_for_ready(timeout=TIMEOUT)
check(km.provisioner.process.pid != old_pid, "restart started a new kernel process")
reply, msgs = execute(kc, "1 + 1")
check(reply["status"] == "ok" and reply["execution_count"] == 1, "the restarted kernel runs cells from count 1", reply)
reply, _ = execute(kc, "latentDim")
check(reply["status"] == "error", "the restarted kernel has no earlier variables", reply)

km.shutdown_kernel(now=False)
check(not km.is_alive(), "shutdown ends the kernel")
kc.stop_channels()
stderr.close()
print("all checks passed", flush=True)
