-- wrk script: posts the signed webhooks of a file written by sign.py, each line once.
--
--   wrk -t2 -c128 -d15s --latency -s replay.lua http://127.0.0.1:48090/whatsapp/webhook -- requests.tsv 2
--
-- Arguments after "--": the requests file and the number of wrk threads (-t). Thread k sends lines k, k+T, k+2T, …
-- so no two threads send the same webhook. A thread that reaches the end of the file starts over: the server then
-- sees repeated MessageSids (answered as duplicates), and the summary says so ("wrapped").
-- done() prints one line starting with "AB_JSON " for webhooks.sh.

local threads = {}

function setup(thread)
   thread:set("id", #threads)
   table.insert(threads, thread)
end

function init(args)
   local path, count = args[1], tonumber(args[2] or "")
   if not path or not count then
      error("usage: wrk … -s replay.lua URL -- REQUESTS_FILE THREADS")
   end
   local headers = { ["Content-Type"] = "application/x-www-form-urlencoded" }
   lines = {}
   local n = 0
   for line in io.lines(path) do
      if #line > 0 and line:sub(1, 1) ~= "#" then
         if n % count == id then
            local tab = line:find("\t", 1, true)
            headers["X-Twilio-Signature"] = line:sub(1, tab - 1)
            table.insert(lines, wrk.format("POST", nil, headers, line:sub(tab + 1)))
         end
         n = n + 1
      end
   end
   if #lines == 0 then error("replay.lua: no requests for thread " .. id .. " in " .. path) end
   position, sent, wrapped = 0, 0, 0
end

function request()
   position = position + 1
   if position > #lines then
      position, wrapped = 1, wrapped + 1
   end
   sent = sent + 1
   return lines[position]
end

function done(summary, latency, requests)
   local sent_total, wrapped_total = 0, 0
   for _, thread in ipairs(threads) do
      sent_total = sent_total + thread:get("sent")
      wrapped_total = wrapped_total + thread:get("wrapped")
   end
   local errors = summary.errors
   local seconds = summary.duration / 1e6
   local function ms(p) return latency:percentile(p) / 1000 end
   io.write(string.format(
      'AB_JSON {"requests":%d,"sent":%d,"wrapped":%d,"seconds":%.3f,"rps":%.1f,"p50_ms":%.2f,"p99_ms":%.2f,'
         .. '"p999_ms":%.2f,"max_ms":%.2f,"non2xx":%d,"socket_errors":%d}\n',
      summary.requests, sent_total, wrapped_total, seconds, summary.requests / seconds, ms(50), ms(99), ms(99.9),
      latency.max / 1000, errors.status, errors.connect + errors.read + errors.write + errors.timeout))
end
