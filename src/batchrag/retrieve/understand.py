"""Query understanding, the one step before any signal: the framing a reader wraps a question in is removed from
what is embedded and matched, and kept as intent (docs/decisions/0015-query-understanding.md)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from batchrag.retrieve.query import is_picture_request, wants_recent

_I = re.I | re.U
# The newsletter's name: "the Batch" in any case, or "Batch" with its capital; never the ML term (batch size, batch
# normalisation, a batch of images), which questions about training ask for.
_BATCH = (r"(?:(?i:the\s+batch)|(?-i:Batch))(?![-‑]?\s*(?:of\b|sizes?\b|norm|normali[sz]|process|inference|jobs?\b"
          r"|api\b|mode\b|learning|training|gradient|нормаліз|розмір))")
_IN_BATCH = rf"(?:\s+(?:в|у|із|з|зі|in|from)\s+{_BATCH}(?:['’]s)?)"
_PICTURE_NOUN = (
    r"(?:картинк\w*|ілюстраці\w*|зображенн\w*|фото\w*|світлин\w*|анімаці\w*|гіфк\w*|скрін\w*|скриншот\w*"
    r"|pictures?|images?|photos?|illustrations?|animations?|gifs?)"
)
_ABOUT_UK = r"(?:\s+(?:про|щодо|стосовно)(?:\s+те)?,?)?"
_ABOUT_EN = r"(?:\s+(?:about|on|regarding))?"

# Openings that ask for the newsletter rather than say what about, tried again and again at the question's start
# until none matches: «Розкажи, що було в The Batch про …» loses «Розкажи,» then «що було в The Batch про».
_LEADS = [
    # Ukrainian requests and memories
    r"(?:а|ну|слухай|будь\s+ласка)\b\s*,?",
    r"(?:ти\s+)?(?:пам['’]ятаєш|пам['’]ятаю|нагадай(?:те)?(?:\s+мені)?|розкажи(?:те)?(?:\s+мені)?|підкажи(?:те)?"
    r"|покажи(?:те)?(?:\s+мені)?|знайди(?:те)?(?:\s+мені)?|скажи(?:те)?|поясни(?:те)?|цікаво)\b" + _IN_BATCH + "?"
    + _ABOUT_UK + r"\s*[,:—–-]?",
    r"(?:можеш|можете|можна)\s+(?:дістати|знайти|показати|нагадати|розповісти)(?:\s+мені)?" + _ABOUT_UK + r"\s*,?",
    r"(?:хочу|хотів\s+би|хотіла\s+б)(?:\s+ще\s+раз)?\s+(?:глянути|подивитися|побачити|знайти|згадати)(?:\s+на)?\s*,?",
    r"мені\s+(?:б|потрібн\w+|треба)\s*,?",
    r"я\s+(?:читав|читала|бачив|бачила)" + _IN_BATCH + "?" + r"(?:\s+щось)?" + _ABOUT_UK + r"\s*,?",
    r"що\s+(?:саме\s+)?(?:" + _BATCH + r"\s+)?(?:писав|писала|писало|писали|писалося|розповідав|розповідала"
    r"|розповідали|повідомляв|повідомляла|повідомляли|було)" + _IN_BATCH + "?" + _ABOUT_UK + r"\s*[,:—–-]?",
    r"чи\s+(?:(?:писав|писала|писали|було|згадували|розповідали|повідомляли)(?:\s+(?:вже|колись))?" + _IN_BATCH
    + r"?|(?:в|у)\s+" + _BATCH + r"\s+(?:писали|було|згадували))(?:\s+(?:щось|що-небудь))?" + _ABOUT_UK + r"\s*,?",
    # English requests and memories
    r"(?:please|hey|so)\b\s*,?",
    r"(?:can|could)\s+you\s+(?:please\s+)?(?:remind\s+me|tell\s+me|show\s+me|find(?:\s+me)?)" + _ABOUT_EN + r"\s*,?",
    r"(?:remind\s+me|tell\s+me|show\s+me|find(?:\s+me)?|i\s+(?:read|remember|saw))" + _IN_BATCH + "?" + _ABOUT_EN
    + r"\s*[,:—–-]?",
    r"what\s+(?:did|does|has)\s+" + _BATCH + r"\s+(?:say|write|written|report|reported|cover|covered|have)"
    + _ABOUT_EN + r"\s*[,:—–-]?",
    # a model's rewrite says what the newsletter did: "The Batch wrote about …", "what The Batch reported on …"
    r"(?:what\s+)?" + _BATCH + r"\s+(?:wrote|writes|has\s+written|reported|reports|covered|said|says)" + _ABOUT_EN
    + r"\s*[,:—–-]?",
    r"did\s+" + _BATCH + r"\s+(?:cover|write\s+about|report\s+on|mention|say\s+anything\s+about)\s*",
    r"(?:is|was)\s+there\s+(?:anything|something|a\s+story)" + _IN_BATCH + "?" + _ABOUT_EN + r"\s*",
]
_LEAD = re.compile(r"^\s*(?:" + "|".join(f"(?:{p})" for p in _LEADS) + r")\s*", _I)

# Inside the question: where a picture stood and the newsletter's own name carry no topic.
_INNER = [
    # «Де була картинка …», «Яке зображення було до …», «Була ілюстрація, де …»: the request, not the picture
    (re.compile(r"^\s*(?:де|яка|яке|який|які)\s+(?:саме\s+)?(?:була|було|був|були|стояла|стояло|стояв)\s+", _I), ""),
    (re.compile(r"^\s*(?:була|було|був)\s+(?:в|у)\s+" + _BATCH + r"\s+", _I), ""),
    (re.compile(rf"^\s*(?:була|було|був)\s+(?={_PICTURE_NOUN})", _I), ""),
    (re.compile(rf"({_PICTURE_NOUN})\s+(?:було|була|був|стояла|стояло)\b", _I), r"\1"),
    # «… до новини про …», «… з новини, де …»: the story the picture belongs to
    (re.compile(r"\b(?:до|з|із|зі|у|в)\s+(?:новини|статті|історії|огляду|матеріалу|випуску|листа)"
                r"(?:\s+(?:про\s+те|про|щодо|де|як|що))?\s*,?\s*", _I), " "),
    (re.compile(r"\b(?:for|from|in)\s+the\s+(?:story|article|piece|news)(?:\s+(?:about|on|where))?\s*", _I), " "),
    # The newsletter's name wherever it stands: it is in hundreds of letters and says nothing about the topic
    (re.compile(rf"^\s*{_BATCH}(?:['’]s)?\b\s*[:,]?", _I), " "),  # first: "The Batch" at the start is all name
    (re.compile(rf"(?:\s+(?:в|у|із|з|зі|in|from|of|by))?\s+{_BATCH}(?:['’]s)?\b\s*[:,]?", _I), " "),
]
# «листопад» (November) starts like «лист» (a letter) and is not one.
_LETTER = re.compile(r"\b(?:Ендрю|Эндрю|Andrew)\b|\bІн[аоуі]?\b|\bИн[аоуі]?\b|\bNg\b|\bлист(?!опад)\w*|\bletters?\b",
                     re.U)
_MIN_WORDS = 1  # what is left must still say something, or the question is searched as written

# Ukrainian abbreviations of names the archive writes in Latin letters, with every spelling it uses. Neither
# transliteration (ЄС is not "yes") nor the embedder's word vectors reach them, so they are read as those names
# (docs/digest-timeline.md, rule 2). Only names: ШІ ("AI") is in nearly every story and would narrow nothing.
ABBREVIATIONS: dict[str, tuple[str, ...]] = {
    "ЄС": ("EU", "European Union"),
    "США": ("U.S.", "US", "United States"),
    "ООН": ("UN", "United Nations"),
    "ВООЗ": ("WHO", "World Health Organization"),
    "НАТО": ("NATO",),
    "ФБР": ("FBI",),
    "ЦРУ": ("CIA",),
    "МВФ": ("IMF", "International Monetary Fund"),
    "ОЕСР": ("OECD",),
    "ЮНЕСКО": ("UNESCO",),
    "ОАЕ": ("UAE", "United Arab Emirates"),
    "КНР": ("China",),
    "ГШІ": ("AGI", "artificial general intelligence"),
}
_SPELLINGS = {forms[0]: forms for forms in ABBREVIATIONS.values()}


def abbreviation(token: str) -> str | None:
    """The Latin name a Ukrainian abbreviation stands for (ЄС: EU), or None."""
    forms = ABBREVIATIONS.get(token)
    return forms[0] if forms else None


def spellings(name: str) -> tuple[str, ...]:
    """Every way the archive writes a name an abbreviation stands for (EU: EU, European Union); else the name."""
    return _SPELLINGS.get(name, (name,))


@dataclass(frozen=True)
class Understood:
    """A question read: the text its signals search, what the reader wants, and the framing that was removed."""

    question: str  # as the reader wrote it
    text: str  # without the framing: what is embedded and matched
    picture: bool  # asks for a picture or about one
    letter: bool  # asks about Andrew Ng's letters
    recent: bool  # asks for the newest stories
    framing: tuple[str, ...] = ()  # the removed pieces, in order

    @property
    def changed(self) -> bool:
        return self.text != self.question.strip()


def _tidy(text: str) -> str:
    # No capital put back: a capitalised word reads as a name to the topic cut (retrieve/topic.py).
    text = re.sub(r"\s+([,.?!:;])", r"\1", re.sub(r"\s+", " ", text)).strip()
    return re.sub(r"^[\s,:;—–-]+", "", text)


def understand(question: str) -> Understood:
    """The question without its framing (see _LEADS and _INNER), with the intent the framing carried."""
    original = (question or "").strip()
    text, removed = original, []
    while True:
        m = _LEAD.match(text)
        if not m or not m.group(0).strip():
            break
        removed.append(m.group(0).strip())
        text = text[m.end():]
    for pattern, repl in _INNER:
        def keep(m: re.Match, repl: str = repl) -> str:
            removed.append(m.group(0).strip())
            return m.expand(repl)

        text = pattern.sub(keep, text)
    text = _tidy(text) if removed else original
    if len(re.findall(r"\w+", text)) < _MIN_WORDS:
        text, removed = original, []
    return Understood(
        question=original,
        text=text,
        picture=is_picture_request(original),
        letter=bool(_LETTER.search(original)),
        recent=wants_recent(original),
        framing=tuple(removed),
    )
