-- wrk script: POST /execute, alternating a short Python and a short C program.
-- The token comes from the environment (PROCTOR_BENCH_TOKEN), as wrk's scripts can read it.
local token = os.getenv("PROCTOR_BENCH_TOKEN") or "bench"
local python = '{"language":"python3","code":"import sys\\nprint(sum(map(int, sys.stdin.read().split())))","stdin":"1 2 3 4\\n","timeout":5}'
local c = '{"language":"c","code":"#include <stdio.h>\\nint main(void){long a,s=0;while(scanf(\\"%ld\\",&a)==1)s+=a;printf(\\"%ld\\\\n\\",s);return 0;}","stdin":"1 2 3 4\\n","timeout":5}'
local headers = { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token }
local n = 0
local statuses = {}

request = function()
  n = n + 1
  return wrk.format("POST", "/execute", headers, (n % 2 == 0) and c or python)
end

response = function(status, hdrs, body)
  statuses[status] = (statuses[status] or 0) + 1
  if status == 200 and not string.find(body, '"stdout":"10\\n"', 1, true) then
    statuses["wrong-output"] = (statuses["wrong-output"] or 0) + 1
  end
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT requests=%d duration_s=%.2f rps=%.2f p50_ms=%.1f p90_ms=%.1f p99_ms=%.1f max_ms=%.1f " ..
    "connect_err=%d read_err=%d write_err=%d timeouts=%d non2xx=%d\n",
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
    e.connect, e.read, e.write, e.timeout, e.status))
end
