"""fan_profiles: one profile per fan-model pair (personal data).

Details (age, relationship status, job, hobbies, location hints, life events, personality,
emotional needs, purchase motivations) come from the provider chosen by the var
`profile_provider`:

* `rules` (default): the deterministic offline extractor below (regular expressions over the
  fan's own words, one message at a time, with a negation guard: "I'm not married" is not
  "married").
* `llm`: the validated profiles the incremental model `fan_profile_llm_ledger` cached for the
  pair's current text (key: prompt version + LLM model + text hash). A pair without a valid
  cached profile (its call failed or is pending) falls back to the rules extractor and says so
  in `profile_source` ('rules_fallback'); nothing is dropped and nothing is silently mixed.

The measured communication pattern (message length, emoji and question rates, response latency,
active hours) comes from the SQL model int_fan_communication_patterns.

Self-contained (PyPI imports only); pytest imports this file and tests the pure functions.
"""

from __future__ import annotations

import functools
import json
import re

import pandas as pd

DETAIL_COLUMNS = {
    # detail type -> output column
    "age": "age",
    "relationship": "relationship_status",
    "job": "job",
    "hobby": "hobbies",
    "location": "location_hints",
    "life_event": "life_events",
    "personality": "personality_traits",
    "emotional_need": "emotional_needs",
    "motivation": "purchase_motivations",
}
SINGLE_VALUED = {"age", "relationship", "job"}
MESSAGE_SEPARATOR = " | "

_NEGATION_BEFORE = re.compile(
    r"\b(?:not|never|no longer|isn'?t|wasn'?t|ain'?t|don'?t|doesn'?t|didn'?t|won'?t|hardly)\s+(?:\w+\s+){0,2}$"
)

# --- age -------------------------------------------------------------------------------------
_AGE_UNIT = (
    r"(?!\s*(?:%|percent|min|mins|minutes?|hours?|hrs?|days?|weeks?|months?|times|miles|km|"
    r"dollars|bucks|usd|k\b|\$|am\b|pm\b|inch|cm|kg|lbs?|pounds|feet|ft|years? (?:ago|later)))"
)
AGE_PATTERNS = tuple(
    re.compile(p)
    for p in (
        r"\b(?:i'?m|i am|im)\s+(\d{2})\b" + _AGE_UNIT,
        r"\bturn(?:ed|ing)\s+(\d{2})\b" + _AGE_UNIT,
        r"\b(\d{2})\s*(?:years? old|yrs? old|y/?o)\b",
        r"\bbeing\s+(\d{2})\b" + _AGE_UNIT,
        r"\bat\s+(\d{2}),?\s+i\b",
        r"\bnot bad for (?:an? )?(\d{2})\b" + _AGE_UNIT,
        r"\bage[ds]?\s*:?\s*(\d{2})\b",
    )
)
AGE_MIN, AGE_MAX = 18, 99

# --- relationship (first match in this priority order wins) ----------------------------------
RELATIONSHIP_PATTERNS = (
    (
        "widowed",
        r"\bwidow(?:ed|er)?\b|\blost my (?:wife|husband)\b|\bmy (?:late )?(?:wife|husband) (?:died|passed)",
    ),
    ("separated", r"\bseparated\b"),
    ("divorced", r"\b(?:i'?m|i am|im|got|been|recently)\s+divorced\b|\bmy ex[- ]?wife\b"),
    ("married", r"\b(?:i'?m|i am|im|happily|unhappily|been)\s+married\b|\bmy wife\b"),
    (
        "partnered",
        r"\b(?:i have|i've got|i got|got) a (?:girlfriend|gf|boyfriend|partner|fianc[eé]e?)\b"
        r"|\bmy (?:girlfriend|gf|fianc[eé]e?)\b",
    ),
    ("single", r"\b(?:i'?m|i am|im|still|been)\s+single\b|\bhaven'?t dated\b|\bno girlfriend\b"),
)

# --- job: "I work as a X", "I'm a X", "I'm in the army" ----------------------------------------
JOBS = (
    # canonical -> alternatives (longer phrases first so "software engineer" beats "engineer")
    ("software engineer", "software engineer|software developer|web developer|programmer|coder|developer"),
    ("truck driver", "truck driver|trucker|lorry driver"),
    ("sales manager", "sales manager"),
    ("sales rep", "sales rep|salesman|sales guy"),
    ("construction worker", "construction worker"),
    ("police officer", "police officer|cop|policeman"),
    ("security guard", "security guard"),
    ("real estate agent", "real estate agent|realtor"),
    ("nurse", "nurse"),
    ("teacher", "teacher|professor"),
    ("electrician", "electrician"),
    ("accountant", "accountant"),
    ("firefighter", "firefighter|fireman"),
    ("mechanic", "mechanic"),
    ("lawyer", "lawyer|attorney"),
    ("chef", "chef|line cook"),
    ("soldier", "soldier"),
    ("doctor", "doctor|physician|surgeon"),
    ("paramedic", "paramedic|emt"),
    ("plumber", "plumber"),
    ("carpenter", "carpenter"),
    ("welder", "welder"),
    ("pilot", "pilot"),
    ("pharmacist", "pharmacist"),
    ("dentist", "dentist"),
    ("banker", "banker"),
    ("architect", "architect"),
    ("farmer", "farmer"),
    ("bartender", "bartender"),
    ("waiter", "waiter|server"),
    ("cashier", "cashier"),
    ("consultant", "consultant"),
    ("student", "student"),
    ("engineer", "engineer"),
    ("manager", "manager"),
)
_JOB_ALTERNATION = "|".join(alt for _, alt in JOBS)
_JOB_CANONICAL = {a: canon for canon, alts in JOBS for a in alts.split("|")}
JOB_PATTERNS = (
    re.compile(
        # the job right after the article first; else after one adjective ("a registered nurse")
        r"\b(?:i work as|i worked as|working as|i'?m|i am|im|my job as)\s+an?\s+(?:("
        + _JOB_ALTERNATION
        + r")|\w+\s+("
        + _JOB_ALTERNATION
        + r"))s?\b"
    ),
    re.compile(r"\bi work as (?:the|a|an)?\s*(" + _JOB_ALTERNATION + r")\b"),
)
MILITARY_PATTERN = re.compile(
    r"\b(?:i'?m|i am|im|i serve|serving) in the (?:army|navy|air force|marines|military)\b"
)

# --- multi-valued details: canonical value -> pattern -----------------------------------------
HOBBIES = (
    ("fishing", r"\bfishing\b|\bwent fishing\b"),
    ("gaming", r"\bvideo ?games?\b|\bgaming\b|\bplaystation\b|\bxbox\b|\bps5\b|\bgamer\b"),
    ("golf", r"\bgolf(?:ing)?\b"),
    ("gym", r"\bthe gym\b|\bgym\b|\blifting weights\b|\bwork(?:ing)? out\b|\bbodybuilding\b"),
    (
        "cars",
        r"\bmustang\b|\bcamaro\b|\bcorvette\b|\bclassic cars?\b|\bcar shows?\b|\brestor(?:e|ing) (?:an? )?(?:old )?(?:car|truck)",
    ),
    ("hiking", r"\bhik(?:e|es|ing)\b"),
    ("cooking", r"\bcooking\b|\bbaking\b|\bmade (?:lasagna|dinner|pasta|bread|a curry)\b"),
    ("football", r"\bfootball\b|\bnfl\b"),
    ("guitar", r"\bguitar\b|\bplay (?:in )?a (?:little )?band\b"),
    ("photography", r"\bphotography\b|\btaking photos\b"),
    ("running", r"\bmarathons?\b|\bi run every\b|\bgo(?:ing)? for a run\b"),
    ("basketball", r"\bbasketball\b|\bnba\b"),
    ("soccer", r"\bsoccer\b"),
    ("reading", r"\breading (?:a |books|novels)\b|\bbookworm\b"),
    ("camping", r"\bcamping\b"),
    ("hunting", r"\bhunting\b"),
    ("poker", r"\bpoker\b"),
    ("travel", r"\btravel(?:l?ing)? (?:a lot|the world)\b|\blove to travel\b"),
)
US_STATES = [
    "Alabama", "Alaska", "Arizona", "Arkansas", "California", "Colorado", "Connecticut", "Delaware", "Florida",
    "Georgia", "Hawaii", "Idaho", "Illinois", "Indiana", "Iowa", "Kansas", "Kentucky", "Louisiana", "Maine",
    "Maryland", "Massachusetts", "Michigan", "Minnesota", "Mississippi", "Missouri", "Montana", "Nebraska",
    "Nevada", "New Hampshire", "New Jersey", "New Mexico", "New York", "North Carolina", "North Dakota", "Ohio",
    "Oklahoma", "Oregon", "Pennsylvania", "Rhode Island", "South Carolina", "South Dakota", "Tennessee", "Texas",
    "Utah", "Vermont", "Virginia", "Washington", "West Virginia", "Wisconsin", "Wyoming",
]  # fmt: skip
CITIES = [
    "Chicago", "Los Angeles", "San Francisco", "San Diego", "Seattle", "Boston", "Miami", "Houston", "Dallas",
    "Austin", "Denver", "Phoenix", "Atlanta", "Detroit", "Philadelphia", "Las Vegas", "Portland", "Nashville",
    "Orlando", "Minneapolis", "Toronto", "Vancouver", "Montreal", "London", "Manchester", "Dublin", "Berlin",
    "Munich", "Paris", "Madrid", "Barcelona", "Rome", "Amsterdam", "Stockholm", "Sydney", "Melbourne",
    "Auckland", "Tokyo", "Dubai", "Mexico City",
]  # fmt: skip
COUNTRIES = [
    "Canada", "Mexico", "England", "Scotland", "Ireland", "Germany", "France", "Spain", "Italy",
    "Netherlands", "Sweden", "Norway", "Poland", "Australia", "New Zealand", "Brazil", "Argentina", "Japan",
    "India", "Philippines", "South Africa",
]  # fmt: skip
# one alternation for the whole gazetteer (longest names first: "new york" before "york")
_PLACES = {name.lower(): name for name in CITIES + COUNTRIES + US_STATES}
LOCATION_PATTERN = re.compile(
    r"\b(" + "|".join(re.escape(p) for p in sorted(_PLACES, key=len, reverse=True)) + r")\b"
)
LIFE_EVENTS = (
    ("divorce", r"\bdivorce (?:just )?(?:got |was |is )?finali[sz]ed\b|\bgoing through a divorce\b|\bgetting divorced\b|\bjust got divorced\b|\bmy divorce\b"),
    ("new job", r"\b(?:started|starting|got|landed) a new job\b|\bnew job\b|\bfirst day at (?:my|the) new\b"),
    ("lost job", r"\blost my job\b|\bgot (?:fired|laid off)\b|\blaid off\b|\bunemployed\b"),
    ("moved", r"\b(?:just )?moved to\b|\bnew city\b|\brelocated\b"),
    ("pet died", r"\bmy (?:dog|cat|pet) (?:died|passed)\b|\blost my (?:dog|cat)\b|\bput my (?:dog|cat) down\b"),
    ("promotion", r"\bgot promoted\b|\bpromotion\b"),
    ("new baby", r"\b(?:had|having) a baby\b|\bnew baby\b|\bbecame a (?:dad|father)\b|\bnewborn\b"),
    ("surgery", r"\bsurgery\b"),
    ("health issue", r"\bin (?:the )?hospital\b|\bcancer\b|\bdiagnosed\b|\bchemo\b"),
    ("bereavement", r"\bmy (?:mom|dad|mother|father|brother|sister|grandma|grandpa|best friend) (?:died|passed)"),
)  # fmt: skip
PERSONALITY = (
    ("shy", r"\b(?:kinda |kind of |pretty |very |really |a bit |so )?shy\b"),
    ("outgoing", r"\boutgoing\b|\bloud one\b|\blife of the party\b|\bsocial butterfly\b"),
    ("introvert", r"\bintrovert(?:ed)?\b"),
    ("extrovert", r"\bextrovert(?:ed)?\b"),
    ("funny", r"\bfunny (?:guy|one)\b|\bi'?m (?:pretty |really |so )?funny\b|\bclass clown\b"),
    ("romantic", r"\bhopeless romantic\b|\bi'?m (?:a )?(?:big |total )?romantic\b"),
    ("competitive", r"\bcompetitive\b"),
    ("adventurous", r"\badventurous\b|\badrenaline junkie\b"),
)
EMOTIONAL_NEEDS = (
    ("lonely", r"\blonely\b|\bloneliness\b|\ball alone\b"),
    ("stressed", r"\bstress(?:ed|ful)?\b|\boverwhelmed\b|\bburn(?:ed|t) out\b"),
    ("attention", r"\bpay attention to me\b|\bwant (?:some )?attention\b|\bnotice me\b"),
    ("validation", r"\bappreciated\b|\bfeel (?:wanted|valued|seen)\b"),
    ("comfort", r"\bcalms? me(?: down)?\b|\bcomfort(?:ing|s)?\b|\bmakes me feel better\b"),
    ("escape", r"\bescape\b"),
)
MOTIVATIONS = (
    ("exclusive content", r"\bexclusive (?:content|stuff|sets?|pics|videos?)\b|\bwhen it'?s exclusive\b|\bonly if it'?s exclusive\b"),
    ("supporting creator", r"\bsupport(?:ing)? you\b|\bsupport (?:creators|your work)\b"),
    ("custom content", r"\bcustoms?\b"),
    ("feet", r"\bfeet\b|\bfoot pics\b"),
    ("personal connection", r"\bfeel (?:so )?close to you\b|\bour connection\b|\bfeel connected\b"),
    ("deals", r"\bdiscounts?\b|\bdeals?\b|\bon sale\b|\bcheaper\b"),
)  # fmt: skip
MULTI_VALUED = {
    "hobby": tuple((v, re.compile(p)) for v, p in HOBBIES),
    "life_event": tuple((v, re.compile(p)) for v, p in LIFE_EVENTS),
    "personality": tuple((v, re.compile(p)) for v, p in PERSONALITY),
    "emotional_need": tuple((v, re.compile(p)) for v, p in EMOTIONAL_NEEDS),
    "motivation": tuple((v, re.compile(p)) for v, p in MOTIVATIONS),
}
MULTI_VALUED_TYPES = ("hobby", "location", "life_event", "personality", "emotional_need", "motivation")
_RELATIONSHIP = tuple((v, re.compile(p)) for v, p in RELATIONSHIP_PATTERNS)


def _normalise(message: str) -> str:
    return re.sub(r"\s+", " ", message.replace("\u2019", "'").lower()).strip()


def _negated(message: str, start: int) -> bool:
    """True when the match at `start` is preceded (within its clause) by a negation."""
    clause = re.split(r"[.,;!?]", message[:start])[-1]
    return _NEGATION_BEFORE.search(clause) is not None


def _positive_matches(pattern: re.Pattern, message: str):
    return [m for m in pattern.finditer(message) if not _negated(message, m.start())]


def split_messages(text: str | None) -> list[str]:
    """The fan's messages from the ' | '-joined profile text (empty pieces dropped)."""
    if not text:
        return []
    return [m for m in (piece.strip() for piece in text.split(MESSAGE_SEPARATOR)) if m]


@functools.lru_cache(maxsize=200_000)
def message_details(raw: str) -> tuple:
    """(ages, relationship, job, {detail: values}) of one message; cached because fans (and
    whole audiences) repeat the same short messages, so each distinct text is read once."""
    message = _normalise(raw)
    ages = []
    for pattern in AGE_PATTERNS:
        for m in _positive_matches(pattern, message):
            age = int(m.group(1))
            if AGE_MIN <= age <= AGE_MAX:
                ages.append(age)
    relationship = next((v for v, pattern in _RELATIONSHIP if _positive_matches(pattern, message)), None)
    job = None
    for pattern in JOB_PATTERNS:
        hits = _positive_matches(pattern, message)
        if hits:
            job = _JOB_CANONICAL[next(g for g in hits[-1].groups() if g)]
            break
    if _positive_matches(MILITARY_PATTERN, message):
        job = "soldier"
    found = {}
    places = frozenset(_PLACES[m.group(1)] for m in _positive_matches(LOCATION_PATTERN, message))
    if places:
        found["location"] = places
    for detail, patterns in MULTI_VALUED.items():
        values = frozenset(v for v, pattern in patterns if _positive_matches(pattern, message))
        if values:
            found[detail] = values
    return tuple(ages), relationship, job, found


def extract_details(text: str | None) -> dict:
    """Details of one fan's text, read one message at a time: single-valued details (age int,
    relationship, job) are the last mention (people update them); multi-valued ones are sorted
    unique lists."""
    ages: list[int] = []
    relationship: str | None = None
    job: str | None = None
    found: dict[str, set[str]] = {k: set() for k in MULTI_VALUED_TYPES}
    for raw in split_messages(text):
        message_ages, message_relationship, message_job, message_found = message_details(raw)
        ages.extend(message_ages)
        relationship = message_relationship or relationship
        job = message_job or job
        for detail, values in message_found.items():
            found[detail] |= values
    details = {
        "age": ages[-1] if ages else None,
        "relationship": relationship,
        "job": job,
    }
    details.update({k: sorted(v) for k, v in found.items()})
    return details


def details_to_columns(details: dict) -> dict:
    """Output columns of one profile: lists joined with ', ' ('' -> null), age as int."""
    out = {}
    for detail, column in DETAIL_COLUMNS.items():
        value = details.get(detail)
        if detail in SINGLE_VALUED:
            out[column] = value
        else:
            out[column] = ", ".join(value) if value else None
    out["details_found"] = sum(1 for d in DETAIL_COLUMNS if details.get(d) not in (None, [], ""))
    return out


def llm_profile_to_details(profile_json: str) -> dict:
    """A validated LLM profile (the ledger's JSON) in the extractor's shape."""
    obj = json.loads(profile_json)
    return {
        "age": obj.get("age"),
        "relationship": obj.get("relationship_status"),
        "job": obj.get("job"),
        "hobby": sorted(obj.get("hobbies") or []),
        "location": sorted(obj.get("location_hints") or []),
        "life_event": sorted(obj.get("life_events") or []),
        "personality": sorted(obj.get("personality_traits") or []),
        "emotional_need": sorted(obj.get("emotional_needs") or []),
        "motivation": sorted(obj.get("purchase_motivations") or []),
    }


def latest_llm_profiles(ledger: pd.DataFrame, llm_model: str) -> pd.DataFrame:
    """Valid cached profiles per text hash for the configured LLM: the highest prompt version
    wins (a bumped prompt re-profiles; until then the previous version is used and reported)."""
    cols = ["text_hash", "prompt_version", "profile_json"]
    if ledger is None or ledger.empty:
        return pd.DataFrame(columns=cols)
    ok = ledger[
        (ledger["entry_type"] == "profile") & (ledger["status"] == "ok") & (ledger["llm_model"] == llm_model)
    ]
    ok = ok.sort_values(["text_hash", "prompt_version", "ledger_id"], ascending=[True, False, True])
    return ok.drop_duplicates("text_hash")[cols]


def build_profiles(
    texts: pd.DataFrame,
    patterns: pd.DataFrame,
    provider: str,
    ledger: pd.DataFrame | None = None,
    llm_model: str | None = None,
) -> pd.DataFrame:
    """One row per pair of `texts` (fan_model_key, fan_id, page_key, profile_text, text_hash),
    joined to `patterns` by fan_model_key (never by position)."""
    if provider not in {"rules", "llm"}:
        raise ValueError(f"profile_provider must be 'rules' or 'llm', got {provider!r}")
    cached = latest_llm_profiles(ledger, llm_model) if provider == "llm" else pd.DataFrame()
    cached_by_hash = {
        text_hash: (version, profile_json)
        for text_hash, version, profile_json in zip(
            cached.get("text_hash", []),
            cached.get("prompt_version", []),
            cached.get("profile_json", []),
            strict=True,
        )
    }
    rows = []
    for rec in texts.itertuples(index=False):
        hit = cached_by_hash.get(rec.text_hash) if provider == "llm" else None
        if hit is not None:
            details, source, version = llm_profile_to_details(hit[1]), "llm", int(hit[0])
        else:
            details = extract_details(rec.profile_text)
            source, version = ("rules" if provider == "rules" else "rules_fallback"), None
        row = {
            "fan_model_key": rec.fan_model_key,
            "fan_id": rec.fan_id,
            "page_key": rec.page_key,
            "profile_source": source,
            "llm_model": llm_model if source == "llm" else None,
            "prompt_version": version,
            "text_hash": rec.text_hash,
        }
        row.update(details_to_columns(details))
        rows.append(row)
    profiles = pd.DataFrame(rows, columns=PROFILE_COLUMNS[: len(PROFILE_COLUMNS) - len(PATTERN_COLUMNS)])
    merged = profiles.merge(
        patterns[["fan_model_key", *PATTERN_COLUMNS]], on="fan_model_key", how="left", validate="one_to_one"
    )
    return _typed(merged[PROFILE_COLUMNS])


PATTERN_COLUMNS = [
    "text_messages",
    "avg_message_chars",
    "emoji_per_message",
    "question_rate",
    "median_response_minutes",
    "responses_measured",
    "active_local_hours",
    "busiest_local_hour",
]
PROFILE_COLUMNS = [
    "fan_model_key",
    "fan_id",
    "page_key",
    "profile_source",
    "llm_model",
    "prompt_version",
    "text_hash",
    *DETAIL_COLUMNS.values(),
    "details_found",
    *PATTERN_COLUMNS,
]
_DTYPES = {
    "age": "Int64",
    "prompt_version": "Int64",
    "details_found": "Int64",
    "text_messages": "Int64",
    "responses_measured": "Int64",
    "busiest_local_hour": "Int64",
    "avg_message_chars": "float64",
    "emoji_per_message": "float64",
    "question_rate": "float64",
    "median_response_minutes": "float64",
}


def _typed(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    for column in out.columns:
        dtype = _DTYPES.get(column, "string")
        out[column] = (
            pd.to_numeric(out[column]).astype(dtype) if dtype != "string" else out[column].astype(dtype)
        )
    return out


# >>> shared block adapter: keep every copy the same text (sendwise rules-check)
# --- Adapter (docs/ml.md, "Both adapters"): a dbt relation to pandas, the result back to the engine.
# The same text in every Python model that reads a relation (sendwise rules-check keeps the copies
# equal to the canonical one; dbt Python models cannot import project code on BigQuery).


def to_pandas(
    frame, columns: list[str] | None = None, equals: dict[str, str] | None = None, arrow: bool = False
) -> pd.DataFrame:
    """A DuckDB relation, BigQuery DataFrames, Spark DataFrame or pandas frame as pandas. Only the
    rows whose columns equal `equals` and only `columns` (in that order) leave the warehouse: they
    are selected on the engine before the download (BigQuery DataFrames refuses downloads over
    500 MB by default). arrow=True reads a DuckDB relation through Arrow with pd.ArrowDtype columns,
    so a vector column stays an Arrow list column instead of one numpy object per row (the other
    engines ignore it)."""
    equals = equals or {}
    module = type(frame).__module__
    if isinstance(frame, pd.DataFrame) or module.startswith("bigframes"):
        for name, value in equals.items():
            frame = frame[frame[name] == value]
        frame = frame if columns is None else frame[columns]
        return frame if isinstance(frame, pd.DataFrame) else frame.to_pandas()
    if module.startswith("pyspark"):
        for name, value in equals.items():
            frame = frame.filter(frame[name] == value)
        return (frame if columns is None else frame.select(*columns)).toPandas()
    if not hasattr(frame, "project"):
        raise TypeError(f"cannot convert {type(frame).__name__} to pandas")
    for name, value in equals.items():  # a DuckDB relation
        text = str(value).replace("'", "''")
        frame = frame.filter(f"\"{name}\" = '{text}'")
    if columns is not None:
        frame = frame.project(", ".join(f'"{c}"' for c in columns))
    if not arrow:
        return frame.df()
    table = frame.arrow()
    table = table.read_all() if hasattr(table, "read_all") else table  # a RecordBatchReader (DuckDB 1.4)
    return table.to_pandas(types_mapper=pd.ArrowDtype)


def settings_dict(settings: pd.DataFrame) -> dict[str, str]:
    """settings_modeling as {setting_name: setting_value}. The seed declares setting_value a
    not-null string (seeds/_seeds.yml), so the values are text on every engine and .astype(str)
    changes none of them; it keeps them plain Python str whatever dtype the download gives."""
    return dict(zip(settings["setting_name"], settings["setting_value"].astype(str), strict=True))


def to_engine(frame, target_type: str):
    """The model's result as the engine's DataFrame: on BigQuery a pandas frame becomes BigQuery
    DataFrames (bigframes, bpd.read_pandas) and one that already is (a reused output) stays as it
    is; elsewhere the frame itself: pandas, or the Arrow table of a reused output on DuckDB (its
    column types kept)."""
    if target_type == "bigquery" and isinstance(frame, pd.DataFrame):
        import bigframes.pandas as bpd

        return bpd.read_pandas(frame)
    return frame


# <<< shared block adapter


def model(dbt, session):
    dbt.config(materialized="table", packages=["pandas==2.3.3"])
    provider = dbt.config.get("profile_provider") or "rules"
    llm_model = dbt.config.get("profile_llm_model")
    texts = to_pandas(dbt.ref("int_fan_profile_texts"))
    patterns = to_pandas(dbt.ref("int_fan_communication_patterns"))
    ledger = to_pandas(dbt.ref("fan_profile_llm_ledger"))
    profiles = build_profiles(texts, patterns, provider, ledger, llm_model)
    return to_engine(profiles, dbt.config.get("target_type"))
