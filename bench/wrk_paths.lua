-- wrk script for bench/wrk_serve.sh: each request is the next line of the paths file
-- (env WRK_PATHS), every thread starting at a different line; counts non-2xx answers.
local paths, i = {}, 0
local thread_no = 0
local threads = {}

function setup(thread)
  thread:set("id", thread_no)
  thread_no = thread_no + 1
  table.insert(threads, thread)
end

function init(args)
  for line in io.lines(os.getenv("WRK_PATHS")) do
    if #line > 0 then table.insert(paths, line) end
  end
  i = (id or 0) * 7919
  bad = 0
end

function request()
  i = i + 1
  return wrk.format("GET", paths[(i % #paths) + 1])
end

function response(status, headers, body)
  if status < 200 or status > 299 then bad = bad + 1 end
end

function done(summary, latency, requests)
  local total_bad = 0
  for _, t in ipairs(threads) do total_bad = total_bad + (t:get("bad") or 0) end
  io.write(string.format("non2xx %d\n", total_bad))
  io.write(string.format("p50_ms %.2f\np90_ms %.2f\np99_ms %.2f\n", latency:percentile(50) / 1000,
    latency:percentile(90) / 1000, latency:percentile(99) / 1000))
end
