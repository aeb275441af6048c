-- wrk script for bench/load.sh and bench/crash.sh.
--
-- Run with as many threads as connections (-t N -c N): each thread then has
-- one connection, so every response answers the thread's last request, and
-- each thread acts as its own member on the submissions it created itself.
--
-- Environment:
--   HUB_LOAD_MODE     mixed (logins, creates, updates, lists, gets) or write
--                     (creates and updates only)
--   HUB_LOAD_MEMBERS  a file of "email<TAB>password<TAB>access token" lines
--   HUB_LOAD_OUT      a folder: each thread writes thread-<n>.log there, and
--                     done() writes summary.json
--   HUB_LOAD_TAG      optional prefix of the nonces, to tell runs on one
--                     database apart
--
-- Each thread's log has one line per write it sent and per answer to it:
--   S <nonce> create|update <id or -> <If-Match version or -> <JSON body sent>
--   A <nonce> <status> <id> <version from the ETag>      a 2xx answer
--   R <nonce> <status>                                   any other answer
--   L <nonce>                                            no answer (connection lost)
--   U <nonce>                                            never sent (wrk's trial call)
--   M <nonce> <id> <what>                                a read that disagreed
-- The nonce is in every title sent, so a stored submission names the write
-- that produced it.

local mode = os.getenv("HUB_LOAD_MODE") or "mixed"
local out_dir = os.getenv("HUB_LOAD_OUT") or "."
local members_file = os.getenv("HUB_LOAD_MEMBERS")
local tag = os.getenv("HUB_LOAD_TAG")
if tag == "" then tag = nil end

-- main state ---------------------------------------------------------------

local threads = {}

local function read_members()
    local list = {}
    local f = assert(io.open(assert(members_file, "HUB_LOAD_MEMBERS is not set"), "r"))
    for line in f:lines() do
        local email, password, token = line:match("^([^\t]+)\t([^\t]+)\t([^\t]+)$")
        if email then
            list[#list + 1] = { email = email, password = password, token = token }
        end
    end
    f:close()
    assert(#list > 0, "no members in " .. members_file)
    return list
end

function setup(thread)
    members = members or read_members()
    local n = #threads + 1
    local m = members[((n - 1) % #members) + 1]
    thread:set("index", n)
    thread:set("email", m.email)
    thread:set("password", m.password)
    thread:set("token", m.token)
    threads[n] = thread
end

-- thread state -------------------------------------------------------------

local PRIORITIES = { "optimising_ot", "value_and_impact", "retention_and_career", "workforce_planning" }
local AREAS = { "primary_care", "community_rehabilitation", "mental_health", "older_people", "housing", "work" }
local WORDS = { "falls", "discharge", "seating", "sensory", "vocational", "housing", "telehealth", "frailty" }
local KINDS_FILTER = { "improvement_journey", "case_study", "impact_example" }

local log, seq, pending, owned, versions, titles

function init(args)
    log = assert(io.open(out_dir .. "/thread-" .. index .. ".log", "w"))
    log:setvbuf("line")
    math.randomseed(index * 7919 + os.time())
    seq = 0
    pending = nil
    owned = {}       -- ids this thread created and knows the exact state of
    versions = {}    -- id -> version last acknowledged
    titles = {}      -- id -> title last acknowledged
    counts = {}      -- "op status" -> number of answers
    lost = 0
    read_mismatches = 0
end

local function pick(list)
    return list[math.random(#list)]
end

local function some(list, most)
    local chosen, seen = {}, {}
    for _ = 1, math.random(most) do
        local v = pick(list)
        if not seen[v] then
            seen[v] = true
            chosen[#chosen + 1] = '"' .. v .. '"'
        end
    end
    table.sort(chosen)
    return "[" .. table.concat(chosen, ",") .. "]"
end

local function forget(id)
    for i, v in ipairs(owned) do
        if v == id then
            owned[i] = owned[#owned]
            owned[#owned] = nil
            break
        end
    end
    versions[id] = nil
    titles[id] = nil
end

local function headers(extra)
    local h = { ["Authorization"] = "Bearer " .. token }
    for k, v in pairs(extra or {}) do
        h[k] = v
    end
    return h
end

local function json_headers(extra)
    local h = headers(extra)
    h["Content-Type"] = "application/json"
    return h
end

local function title_for(nonce)
    return "Load " .. nonce .. " " .. pick(WORDS) .. " pathway review"
end

local function create_body(nonce)
    local word = pick(WORDS)
    local pence = math.random(100000, 9000000)
    return '{"kind":"improvement_journey","title":"' .. title_for(nonce) .. '",'
        .. '"summary":"An OT-led ' .. word .. ' service, write ' .. nonce .. ', cut waiting times by '
        .. math.random(5, 60) .. ' per cent.",'
        .. '"sections":{"why_we_started":{"problem":"Waits of ' .. math.random(2, 40)
        .. ' weeks for ' .. word .. ' assessments."},'
        .. '"what_we_did":{"interventions":"A triage clinic run ' .. math.random(1, 5) .. ' days a week."}},'
        .. '"priorities":' .. some(PRIORITIES, 3) .. ',"practice_areas":' .. some(AREAS, 3) .. ','
        .. '"topics":' .. (math.random(2) == 1 and '["ai_digital_healthcare"]' or '[]') .. ','
        .. '"nation":"england","region":"north_west",'
        .. '"impact_evidence":[{"evidence_type":"economic","description":"Bed days saved",'
        .. '"costs_pence":' .. pence .. ',"savings_pence":' .. (pence * math.random(2, 6)) .. '}]}'
end

local function update_body(nonce)
    return '{"title":"' .. title_for(nonce) .. '",'
        .. '"summary":"Revised in write ' .. nonce .. ': ' .. pick(WORDS) .. ' outcomes after '
        .. math.random(4, 52) .. ' weeks.",'
        .. '"priorities":' .. some(PRIORITIES, 4) .. ','
        .. '"topics":' .. (math.random(2) == 1 and '["ai_digital_healthcare"]' or '[]') .. '}'
end

local function list_path()
    local params = { "limit=" .. math.random(5, 50) }
    local r = math.random(5)
    if r == 1 then
        params[#params + 1] = "mine=true"
    elseif r == 2 then
        params[#params + 1] = "priority=" .. pick(PRIORITIES)
    elseif r == 3 then
        params[#params + 1] = "mine=true&practice_area=" .. pick(AREAS)
    elseif r == 4 then
        params[#params + 1] = "mine=true&q=" .. pick(WORDS)
    else
        params[#params + 1] = "kind=" .. pick(KINDS_FILTER) .. "&status=draft"
    end
    return "/api/v1/submissions?" .. table.concat(params, "&")
end

local function choose()
    local r = math.random(100)
    if mode == "write" then
        if r <= 60 or #owned == 0 then return "create" end
        return "update"
    end
    if r <= 2 then return "login" end
    if r <= 27 or #owned == 0 then return "create" end
    if r <= 52 then return "update" end
    if r <= 75 then return "list" end
    return "get"
end

function request()
    if pending and index == 1 and seq == 1 then
        -- wrk calls request() once in the first thread to inspect it, and
        -- never sends that request.
        if pending.write then
            log:write("U\t", pending.nonce, "\n")
        end
        pending = nil
    elseif pending then
        -- The connection was lost before an answer came: the write may or
        -- may not have happened, so this thread leaves that submission alone.
        lost = lost + 1
        if pending.write then
            log:write("L\t", pending.nonce, "\n")
        end
        if pending.id then
            forget(pending.id)
        end
        pending = nil
    end
    seq = seq + 1
    local nonce = (tag and (tag .. ".") or "") .. index .. "-" .. seq
    local op = choose()
    if op == "login" then
        pending = { op = op, nonce = nonce }
        return wrk.format("POST", "/api/v1/auth/login", { ["Content-Type"] = "application/json" },
            '{"email":"' .. email .. '","password":"' .. password .. '"}')
    elseif op == "create" then
        local body = create_body(nonce)
        pending = { op = op, nonce = nonce, write = true }
        log:write("S\t", nonce, "\tcreate\t-\t-\t", body, "\n")
        return wrk.format("POST", "/api/v1/submissions", json_headers(), body)
    elseif op == "update" then
        local id = pick(owned)
        local body = update_body(nonce)
        pending = { op = op, nonce = nonce, id = id, write = true }
        log:write("S\t", nonce, "\tupdate\t", id, "\t", versions[id], "\t", body, "\n")
        return wrk.format("PATCH", "/api/v1/submissions/" .. id,
            json_headers({ ["If-Match"] = '"' .. versions[id] .. '"' }), body)
    elseif op == "list" then
        pending = { op = op, nonce = nonce }
        return wrk.format("GET", list_path(), headers())
    else
        local id = pick(owned)
        pending = { op = op, nonce = nonce, id = id }
        return wrk.format("GET", "/api/v1/submissions/" .. id, headers())
    end
end

local function header(hs, name)
    for k, v in pairs(hs) do
        if k:lower() == name then
            return v
        end
    end
    return nil
end

function response(status, hs, body)
    local p = pending
    pending = nil
    if not p then
        return
    end
    local key = p.op .. " " .. status
    counts[key] = (counts[key] or 0) + 1
    local ok = status >= 200 and status < 300
    if p.write then
        if ok then
            local id = body:match('^{"id":"([0-9a-f%-]+)"')
            local version = tonumber((header(hs, "etag") or ""):match('^"(%d+)"$'))
            log:write("A\t", p.nonce, "\t", status, "\t", id or "-", "\t", version or "-", "\n")
            if id and version then
                if p.op == "create" then
                    owned[#owned + 1] = id
                end
                versions[id] = version
                titles[id] = body:match('"title":"([^"]*)"')
            elseif p.id then
                forget(p.id)
            end
        else
            log:write("R\t", p.nonce, "\t", status, "\n")
            if p.id then
                forget(p.id)
            end
        end
    elseif p.op == "login" and ok then
        token = body:match('"access_token":"([^"]+)"') or token
    elseif p.op == "get" and ok then
        -- This thread is the only writer of its submissions and waits for each
        -- answer, so a read must show exactly the last acknowledged write.
        local version = tonumber((header(hs, "etag") or ""):match('^"(%d+)"$'))
        local title = body:match('"title":"([^"]*)"')
        if version ~= versions[p.id] or title ~= titles[p.id] then
            read_mismatches = read_mismatches + 1
            log:write("M\t", p.nonce, "\t", p.id, "\tread version ", tostring(version),
                " title ", tostring(title), ", expected ", tostring(versions[p.id]),
                " ", tostring(titles[p.id]), "\n")
        end
    end
end

-- main state again, after every thread stopped -------------------------------

local function json_string(s)
    return '"' .. tostring(s):gsub('[%c"\\]', function(c)
        return string.format("\\u%04x", c:byte())
    end) .. '"'
end

function done(summary, latency, requests)
    local totals, lost_total, mismatches = {}, 0, 0
    for _, thread in ipairs(threads) do
        for key, n in pairs(thread:get("counts") or {}) do
            totals[key] = (totals[key] or 0) + n
        end
        lost_total = lost_total + (thread:get("lost") or 0)
        mismatches = mismatches + (thread:get("read_mismatches") or 0)
    end
    local parts = {}
    for key, n in pairs(totals) do
        parts[#parts + 1] = json_string(key) .. ":" .. n
    end
    table.sort(parts)
    local e = summary.errors
    local f = assert(io.open(out_dir .. "/summary.json", "w"))
    f:write("{",
        '"requests":', summary.requests, ",",
        '"duration_us":', summary.duration, ",",
        '"bytes":', summary.bytes, ",",
        '"socket_errors":{"connect":', e.connect, ',"read":', e.read, ',"write":', e.write,
        ',"timeout":', e.timeout, "},",
        '"lost":', lost_total, ",",
        '"read_mismatches":', mismatches, ",",
        '"latency_us":{"p50":', latency:percentile(50), ',"p90":', latency:percentile(90),
        ',"p99":', latency:percentile(99), ',"max":', latency.max, "},",
        '"answers":{', table.concat(parts, ","), "}}\n")
    f:close()
end
