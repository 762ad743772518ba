// k6 load test for TeacherPlatform, same profile as `dotnet run --project evals -- bench --profile full`
// (the original plan's stages plus the 2x stage): 2m->50, 5m@50, 2m->100, 3m@100, 1m->200, 2m@200, 2m->0.
// Each virtual user posts a question then sleeps 1 s.
//
//   k6 run evals/load/k6-rag.js                                   # /api/chat/query JSON, distinct questions
//   k6 run -e TARGET=search -e MIX=repeated evals/load/k6-rag.js  # /api/search, repeated questions (cache hits)
//   k6 run -e SCALE=0.0833 evals/load/k6-rag.js                   # same shape at 1/12 of the time (like --profile quick)
//
// Env: API_URL (default http://127.0.0.1:5000), TARGET = chat | search (default chat), MIX = distinct | repeated,
// STUDENTS (accounts to spread users over, default 20), PASSWORD. Run the API with RateLimiting__Enabled=false.
// setup() registers (or logs in) the student accounts, the same ones the C# bench uses.
import http from 'k6/http';
import { check, sleep } from 'k6';

const API_URL = __ENV.API_URL || 'http://127.0.0.1:5000';
const TARGET = __ENV.TARGET || 'chat';
const MIX = __ENV.MIX || 'distinct';
const STUDENTS = parseInt(__ENV.STUDENTS || '20', 10);
const PASSWORD = __ENV.PASSWORD || 'Evals-Pass-2025!x';
const SCALE = parseFloat(__ENV.SCALE || '1');
const d = (seconds) => `${Math.max(1, Math.round(seconds * SCALE))}s`;

export const options = {
  stages: [
    { duration: d(120), target: 50 },  // ramp to 50 users
    { duration: d(300), target: 50 },  // hold 50
    { duration: d(120), target: 100 }, // ramp to 100
    { duration: d(180), target: 100 }, // hold 100
    { duration: d(60), target: 200 },  // 2x load
    { duration: d(120), target: 200 }, // hold 200
    { duration: d(120), target: 0 },   // ramp down
  ],
  thresholds: {
    // issue 5 targets at 100 users with distinct questions (search 25 ms, chat JSON 50 ms); errors 0.
    'http_req_duration{type:rag}': ['p(95)<50', 'p(99)<500'],
    'http_req_duration{type:search}': ['p(95)<25'],
    'http_req_failed': ['rate<0.0001'],
  },
};

const QUESTIONS = [
  'How do I improve finger independence?',
  'What is the correct hand position for scales?',
  'Explain legato vs staccato articulation',
  'How to practice arpeggios effectively?',
  'When should I use the una corda pedal?',
  'How do I practise slowly without losing the musical line?',
  'What should a six-year-old learn in the first lesson?',
  'How can I manage performance nerves before a recital?',
  'How do I voice the melody above the accompaniment?',
  'What fingering is used for the B major scale?',
];

export function setup() {
  const tokens = [];
  for (let i = 0; i < STUDENTS; i++) {
    const email = `evals-student-${i}@example.com`;
    const headers = { 'Content-Type': 'application/json' };
    let res = http.post(`${API_URL}/api/auth/register`,
      JSON.stringify({ email, password: PASSWORD, display_name: `Evals Student ${i}`, role: 'student' }), { headers });
    if (res.status !== 201 && res.status !== 200) {
      res = http.post(`${API_URL}/api/auth/login`, JSON.stringify({ email, password: PASSWORD }), { headers });
    }
    check(res, { 'auth ok': (r) => r.status === 200 || r.status === 201 });
    tokens.push(res.json('access_token'));
  }
  return { tokens };
}

function word(n) {
  let s = 'q';
  do { s += String.fromCharCode(97 + (n % 26)); n = Math.floor(n / 26); } while (n > 0);
  return s;
}

export default function (data) {
  const token = data.tokens[(__VU - 1) % data.tokens.length];
  const n = __VU * 1000003 + __ITER;
  const base = QUESTIONS[MIX === 'repeated' ? (__VU + __ITER) % QUESTIONS.length : n % QUESTIONS.length];
  const query = MIX === 'distinct' ? `${base} ${word(n)}` : base;
  const headers = { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` };

  if (TARGET === 'search') {
    const res = http.post(`${API_URL}/api/search`, JSON.stringify({ query, top_k: 8, mode: 'hybrid' }),
      { headers, tags: { type: 'search' } });
    check(res, {
      'status 200': (r) => r.status === 200,
      'has results': (r) => Array.isArray(r.json('results')),
    });
  } else {
    const res = http.post(`${API_URL}/api/chat/query`, JSON.stringify({ query }), { headers, tags: { type: 'rag' } });
    check(res, {
      'status 200': (r) => r.status === 200,
      'has content': (r) => r.json('content') !== undefined,
      'has sources': (r) => Array.isArray(r.json('sources')),
      'has confidence': (r) => ['HIGH', 'MEDIUM', 'LOW'].includes(r.json('confidence')),
    });
  }
  sleep(1);
}
