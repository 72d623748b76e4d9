#!/usr/bin/env bash
# python3 with 8 threading.Thread workers sharing a Lock and a Condition,
# then a multiprocessing.Pool(4) map (fork start method, semaphores in
# /dev/shm, result pipes). Output compared with a native run.
. "$(dirname "$0")/lib/common.sh"
require_file /usr/bin/python3 "python3 is part of the base image"
read -r -d '' PY <<'EOF_PY'
import threading, multiprocessing, os

lock = threading.Lock()
cond = threading.Condition(lock)
state = {"total": 0, "done": 0}

def work(n):
    for i in range(2000):
        with lock:
            state["total"] += n
    with cond:
        state["done"] += 1
        cond.notify_all()

threads = [threading.Thread(target=work, args=(k,)) for k in range(8)]
for t in threads: t.start()
with cond:
    cond.wait_for(lambda: state["done"] == 8, timeout=60)
for t in threads: t.join()
print("threads:", len(threads), "total:", state["total"], "alive:", sum(t.is_alive() for t in threads))

def square(x):
    return x * x, os.getpid() != PARENT

PARENT = os.getpid()
if __name__ == "__main__":
    multiprocessing.set_start_method("fork")
    with multiprocessing.Pool(4) as pool:
        results = pool.map(square, range(100))
    print("pool sum:", sum(r[0] for r in results), "all in children:", all(r[1] for r in results))
    q = multiprocessing.Queue()
    p = multiprocessing.Process(target=q.put, args=("via queue",))
    p.start(); print("process says:", q.get(timeout=60)); p.join()
    print("process exitcode:", p.exitcode)
EOF_PY
compare_run /usr/bin/python3 -c "$PY"
