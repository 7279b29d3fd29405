#!/usr/bin/env python3
# Per-thread sampler (tools/stall-timeline/run.sh): every TICK s, each thread of PID with its state, CPU
# ticks and bytes written since the last sample; the disk (vda) and both cores beside it.
# usage: threads.py PID OUTFILE [TICK]
import sys, time, os
pid, out, tick = sys.argv[1], sys.argv[2], float(sys.argv[3]) if len(sys.argv) > 3 else 0.05
def disk():
    for l in open("/proc/diskstats"):
        f = l.split()
        if f[2] == "vda":
            # writes completed, sectors written, ms writing, in flight, ms io, weighted ms
            return int(f[7]), int(f[9]), int(f[10]), int(f[11]), int(f[12]), int(f[13])
    return (0,)*6
def cpus():
    r = {}
    for l in open("/proc/stat"):
        if l.startswith("cpu0 ") or l.startswith("cpu1 "):
            f = l.split(); r[f[0]] = [int(x) for x in f[1:9]]
    return r
def others():
    # CPU ticks of every other process and kernel thread (comm, ticks): who else ran beside the server.
    r = {}
    for q in os.listdir("/proc"):
        if not q.isdigit() or q == pid:
            continue
        try:
            st = open(f"/proc/{q}/stat").read()
        except Exception:
            continue
        rest = st[st.rfind(")") + 2:].split()
        r[q] = (st[st.find("(") + 1:st.rfind(")")].replace(" ", "_") + "@cpu" + rest[36], int(rest[11]) + int(rest[12]))
    return r
prev = {}; pd = disk(); pc = cpus(); po = others(); t0 = time.time()
with open(out, "w") as o:
    while True:
        s = time.time()
        try:
            tids = os.listdir(f"/proc/{pid}/task")
        except FileNotFoundError:
            break
        parts = []
        for tid in tids:
            try:
                comm = open(f"/proc/{pid}/task/{tid}/comm").read().strip()
                st = open(f"/proc/{pid}/task/{tid}/stat").read()
                io = open(f"/proc/{pid}/task/{tid}/io").read().split()
            except Exception:
                continue
            rest = st[st.rfind(")") + 2:].split()
            state = rest[0]; cpu = int(rest[11]) + int(rest[12])
            wb = int(io[io.index("write_bytes:") + 1]); wc = int(io[io.index("wchar:") + 1])
            p = prev.get(tid, (cpu, wb, wc))
            prev[tid] = (cpu, wb, wc)
            dc, dw, dwc = cpu - p[0], wb - p[1], wc - p[2]
            if dc or dw or dwc or state == "D":
                parts.append(f"{comm.replace(' ', '_')}/{tid}:{state}:c{dc}:w{dwc // 1024}k")
        c = cpus()
        cs = " ".join(f"{k}:u{c[k][0]-pc[k][0]+c[k][1]-pc[k][1]}s{c[k][2]-pc[k][2]}i{c[k][3]-pc[k][3]}w{c[k][4]-pc[k][4]}q{c[k][5]-pc[k][5]+c[k][6]-pc[k][6]}st{c[k][7]-pc[k][7]}" for k in sorted(c)); pc = c
        o2 = others()
        top = sorted(((v[1] - po.get(k, (None, v[1]))[1], v[0]) for k, v in o2.items()), reverse=True)[:3]
        po = o2
        busiest = " ".join(f"{name}={ticks}" for ticks, name in top if ticks > 0)
        d = disk()
        dd = [d[i] - pd[i] for i in range(6)]; pd = d
        o.write(f"{s - t0:.3f} disk wr={dd[0]} MB={dd[1] * 512 / 1e6:.1f} wms={dd[2]} inflight={d[3]} busyms={dd[4]} {cs} others[{busiest}] | " + " ".join(sorted(parts)) + "\n")
        time.sleep(max(0, tick - (time.time() - s)))
