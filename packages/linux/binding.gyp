{
  "targets": [
    {
      "target_name": "pagevisor_linux",
      "sources": ["src/native/uffd.c", "src/native/peer.c", "src/native/guardian.c", "src/native/sampling.c"],
      "cflags": ["-O2", "-Wall", "-pthread"],
      "ldflags": ["-pthread"]
    }
  ]
}
