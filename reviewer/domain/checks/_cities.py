"""City names and how the same city is written another way: for `locale_match`.

`EXONYMS` is a small hand-made table of common European cities whose name an export may
write in another language than the ticket ("Munich" for "München", "Cologne" for "Köln").
It is a table, not a gazetteer: a city it does not list is compared by its own name only,
folded (case, accents, "ue" for "ü"), without a postcode or postal district, and as the
leading words of a longer name ("Frankfurt" for "Frankfurt am Main").
"""

from __future__ import annotations

import re
from functools import lru_cache

from reviewer.domain.checks._people import UMLAUTS, without_marks

# Each line one city: its names in the languages an export or a ticket may use. Folded as
# `city_words` folds, so "Muenchen", "Munchen" and "MÜNCHEN" need no line of their own.
EXONYMS: tuple[tuple[str, ...], ...] = (
    ("München", "Munich", "Monaco di Baviera", "Munique"),
    ("Köln", "Cologne", "Colonia"),
    ("Hannover", "Hanover", "Hanovre"),
    ("Nürnberg", "Nuremberg", "Norimberga"),
    ("Braunschweig", "Brunswick"),
    ("Frankfurt am Main", "Frankfurt on the Main", "Francfort-sur-le-Main", "Francoforte"),
    ("Wien", "Vienna", "Vienne", "Viena"),
    ("Zürich", "Zurich", "Zurigo"),
    ("Genève", "Geneva", "Genf", "Ginevra", "Ginebra"),
    ("Basel", "Basle", "Bâle", "Basilea"),
    ("Bern", "Berne", "Berna"),
    ("Luzern", "Lucerne", "Lucerna"),
    ("Milano", "Milan", "Mailand"),
    ("Roma", "Rome", "Rom"),
    ("Firenze", "Florence", "Florenz", "Florencia"),
    ("Venezia", "Venice", "Venedig", "Venise", "Venecia"),
    ("Napoli", "Naples", "Neapel", "Nápoles"),
    ("Torino", "Turin", "Turín"),
    ("Genova", "Genoa", "Genua", "Gênes"),
    ("Praha", "Prague", "Prag", "Praga"),
    ("Warszawa", "Warsaw", "Warschau", "Varsovie", "Varsovia"),
    ("Kraków", "Krakow", "Cracow", "Krakau", "Cracovie", "Cracovia"),
    ("Gdańsk", "Gdansk", "Danzig"),
    ("Wrocław", "Wroclaw", "Breslau"),
    ("Lisboa", "Lisbon", "Lissabon", "Lisbonne"),
    ("Porto", "Oporto"),
    ("Sevilla", "Seville", "Séville"),
    ("Bruxelles", "Brussels", "Brussel", "Brüssel", "Bruselas", "Bruxelas"),
    ("Antwerpen", "Antwerp", "Anvers", "Amberes"),
    ("Gent", "Ghent", "Gand"),
    ("Brugge", "Bruges", "Brügge"),
    ("Den Haag", "The Hague", "'s-Gravenhage", "La Haye"),
    ("København", "Copenhagen", "Kopenhagen", "Copenhague"),
    ("Göteborg", "Gothenburg", "Goteborg"),
    ("Athina", "Athens", "Athen", "Athènes", "Atenas", "Αθήνα"),
    ("Thessaloniki", "Salonica", "Saloniki"),
    ("Moskva", "Moscow", "Moskau", "Moscou", "Москва"),
    ("Sankt-Peterburg", "Saint Petersburg", "St Petersburg", "Sankt Petersburg"),
    ("Kyiv", "Kiev", "Kiew", "Київ"),
    ("București", "Bucharest", "Bukarest", "Bucarest"),
    ("Beograd", "Belgrade", "Belgrad"),
    ("Sofiya", "Sofia", "София"),
    ("Budapest", "Budapeszt"),
    ("Bratislava", "Pressburg"),
    ("Ljubljana", "Laibach"),
    ("Strasbourg", "Straßburg", "Strasburgo"),
    ("Marseille", "Marseilles", "Marsella"),
    ("Lyon", "Lyons"),
    ("Dunkerque", "Dunkirk"),
    ("Luxembourg", "Luxemburg", "Lëtzebuerg"),
    ("Dublin", "Baile Átha Cliath"),
    ("Edinburgh", "Dùn Èideann"),
    ("Cardiff", "Caerdydd"),
    ("London", "Londres", "Londra"),
)

_TWO_LETTER_VOWELS = re.compile(r"(?<=[aou])e")
# A country prefix before a postcode ("D-30161").
_COUNTRY_PREFIX = re.compile(r"\b[a-z]{1,2}\s*-\s*(?=\d)")


def fold(name: str) -> tuple[str, ...]:
    """A name's words, case, accents and the German transliterations aside ("München",
    "Muenchen" and "Munchen" alike)."""
    # the umlauts spelled out, then the letters and accents people leave out, as names are
    # compared (`_people`); "ue" and "u" then alike
    text = without_marks(name.casefold().translate(UMLAUTS))
    return tuple(_TWO_LETTER_VOWELS.sub("", w) for w in re.findall(r"[^\W_]+", text))


_CANONICAL: dict[tuple[str, ...], tuple[str, ...]] = {
    fold(name): fold(names[0]) for names in EXONYMS for name in names
}
_LONGEST = max(len(k) for k in _CANONICAL)


@lru_cache(maxsize=4096)  # orders repeat a few cities
def city_words(city: str) -> tuple[str, ...]:
    """A city as comparable words: folded, without a postcode or postal district ("30161
    Hannover", "London N10", "Paris 15e", "Dublin 8": any word holding a digit), and its
    leading words in the one name `EXONYMS` gives all its names ("Munich" as "München")."""
    words = tuple(
        w
        for w in fold(_COUNTRY_PREFIX.sub(" ", city.casefold()))
        if not any(c.isdigit() for c in w)
    )
    for n in range(min(len(words), _LONGEST), 0, -1):
        if (own := _CANONICAL.get(words[:n])) is not None:
            return own + words[n:]
    return words


def same_city(a: str, b: str) -> bool:
    """Whether two city cells may name the same city: their `city_words` alike, or one's
    the other's leading words ("Frankfurt" and "Frankfurt am Main"). An empty one is not."""
    x, y = city_words(a), city_words(b)
    if not x or not y:
        return False
    short, long = sorted((x, y), key=len)
    return long[: len(short)] == short
