-- wrk script for issue 11's CPU-per-request measurement: every connection is a user who posts a distinct real-length
-- question (26-35 words, never repeated, so no cache answers it) to /api/search (or WRK_PATH) and then thinks 1 s.
-- Tokens come from the file named by WRK_TOKENS (one access token a line); MODE (hybrid) from WRK_MODE.
-- Used by evals/load/wrk-search.sh, which also reads the server's CPU time around the run.

local tokens = {}
local counter = 0
local thread_id = 0
local threads = {}

local openers = {
  "I am an adult beginner and", "My teacher told me that", "As a returning pianist I find that", "In my weekly lessons",
  "Practising at home every evening", "When I prepare for my grade exam", "Since I started learning a Chopin waltz",
  "After three years of lessons", "While working on a Bach minuet", "Playing in front of my family",
}
local problems = {
  "my fourth finger collapses at the first joint", "the thumb passing under makes a bump in my scales",
  "the sustain pedal blurs the harmony", "my left hand is louder than the melody", "I rush every fast passage",
  "my wrist gets tense in octave passages", "my trills are uneven and slow", "I forget the piece when I am nervous",
  "my staccato sounds heavy and loud", "the arpeggios break at every hand shift", "I cannot keep a steady pulse",
  "my legato sounds choppy between positions",
}
local questions = {
  "so what daily exercise should I do and how long will it take?",
  "so how should I practise this slowly and what should I listen for?",
  "so which fingering, wrist movement or arm weight would fix it without pain?",
  "so what should I change first and how do I check my progress?",
  "so is there a method in the old piano books that corrects this?",
}

function setup(thread)
  thread:set("id", thread_id)
  thread_id = thread_id + 1
  table.insert(threads, thread)
end

function init(args)
  local path = os.getenv("WRK_TOKENS") or "tokens.txt"
  for line in io.lines(path) do
    if #line > 0 then table.insert(tokens, line) end
  end
  math.randomseed(os.time() + id * 7919)
  mode = os.getenv("WRK_MODE") or "hybrid"
  -- WRK_PATH=/api/chat/query asks the assistant instead (JSON answer; the body's "mode" is ignored there).
  target_path = os.getenv("WRK_PATH") or "/api/search"
  requests_sent = 0
  -- WRK_REPEAT=N: every user draws from the same N questions (the repeated-question scenario, answered by the caches
  -- after each question's first ask per student); 0 or unset: every question distinct.
  repeat_pool = tonumber(os.getenv("WRK_REPEAT") or "0")
  -- WRK_THINK_JITTER=J (ms): think 1000 ± J ms, uniformly, instead of exactly 1 s (a diagnostic: users who think
  -- exactly 1 s come back in step, so their requests arrive in waves).
  think_jitter = tonumber(os.getenv("WRK_THINK_JITTER") or "0")
end

local function question()
  counter = counter + 1
  -- Repeated: question n of the shared pool, the same text for every user. Distinct: random parts, and a bar number
  -- unique to this connection and request, so no two questions are equal; the words stay those of a student.
  local n = repeat_pool > 0 and math.random(repeat_pool) or nil
  local function pick(list) return list[n and (n % #list) + 1 or math.random(#list)] end
  return string.format("%s in bar %d of my piece %s, %s", pick(openers), n or id * 100000 + counter, pick(problems), pick(questions))
end

function request()
  requests_sent = requests_sent + 1
  local token = tokens[((id * 997 + counter) % #tokens) + 1]
  local body = string.format('{"query":"%s","mode":"%s","top_k":5}', question(), mode)
  return wrk.format("POST", target_path,
    { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token }, body)
end

function delay()
  if think_jitter > 0 then return 1000 - think_jitter + math.random(0, 2 * think_jitter) end
  return 1000
end

function done(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.status + summary.errors.timeout
  io.write(string.format("RESULT requests=%d errors=%d duration_s=%.2f p50_ms=%.2f p95_ms=%.2f p99_ms=%.2f\n",
    summary.requests, errors, summary.duration / 1e6,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000))
end

-- The first failing answer is printed, so a run that only counts errors still says why.
function response(status, headers, body)
  if status >= 300 and not reported then
    reported = true
    io.write(string.format("FIRST-ERROR status=%d body=%s\n", status, string.sub(body, 1, 300)))
  end
end
