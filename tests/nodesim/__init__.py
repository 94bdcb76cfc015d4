"""scripts/node-sim: one Kubernetes node's worth of reality on this machine.

  run.py       the command: options, build, the run, cleanup, outputs
  cluster.py   API server, Prometheus, Alertmanager, webhook (host side)
  kubelet.py   the node (pid 1 of its own pid namespace): pods, containers,
               restarts, deletion, the exporter, node-side measurements
  runtime.py   container processes in their cgroups and namespaces; CRI logs
  cgroups.py   the kubelet's cgroup layouts on v1 (+ unified), manifest cleanup
  podlist.py   the PodList the API serves
  pods.py      what runs: the short and the full catalogs
  exporter.py  the DaemonSet's arguments, mapped to this host
  floor.py     scrape vs the bare reads of the same files (strace + floor.c)
  analyze.py   events + alerts + Prometheus -> the "Done when" figures
  report.py    docs/kubernetes-node.md
"""
