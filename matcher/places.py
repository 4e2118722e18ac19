"""Countries and nationalities in English, Spanish, French and Portuguese.

Country names come from pycountry (ISO 3166, with its gettext translations for es/fr/pt), shipped
precomputed (:mod:`matcher.wordlists`); nationality adjectives (demonyms) are not in any maintained
package we can depend on, so the common ones are listed here by hand, with their feminine forms
where the language has them.
"""

from __future__ import annotations

from functools import lru_cache

from matcher.names import fold
from matcher.wordlists import shipped

# Hand-written: demonyms of the countries most often seen in immigration and asylum records, plus
# the large-population countries.  Masculine/feminine and EN/ES/FR/PT forms.
_DEMONYMS = """
afghan afgano afgana afghane afega albanian algerian argelino argeliano algerien algerienne
angolan angoleno angolano angolaise angolais argentine argentinian argentino argentina argentin
armenian australian austrian bangladeshi bangladesi bengali belarusian belgian belizean beliceno
belicena belizien bolivian boliviano boliviana bolivien bolivienne brazilian brasileno brasilena
brasileiro brasileira bresilien bresilienne british britanico britanica britannique bulgarian
burkinabe cameroonian camerunes camerounais camerounaise canadian canadiense canadien canadienne
chilean chileno chilena chilien chilienne chinese chino china chinois chinoise chines chinesa
colombian colombiano colombiana colombien colombienne congolese congoleno congolais congolaise
cuban cubano cubana cubain cubaine dominican dominicano dominicana dominicain dominicaine
ecuadorian ecuatoriano ecuatoriana equatorien equatorienne equatoriano equatoriana egyptian egipcio
egypcien egyptienne salvadoran salvadoreno salvadorena salvadorien salvadorienne eritrean eritreo
eritreen eritreenne ethiopian etiope ethiopien ethiopienne french frances francesa francais
francaise german aleman alemana allemand allemande alemao alema ghanaian ghanes ghaneen greek
guatemalan guatemalteco guatemalteca guatemalteque guinean guineano guineen guineenne haitian
haitiano haitiana haitien haitienne honduran hondureno hondurena hondurien hondurienne indian indio
hindu indien indienne indiano indonesian iranian irani iranien iranienne iraqi iraqui irakien
irakienne irish israeli italian italiano italiana italien italienne ivorian marfileno ivoirien
ivoirienne jamaican jamaicano jamaicana jamaicain jamaicaine japanese japones japonesa japonais
japonaise jordanian kazakh kenyan keniano kenyan kenyane korean coreano coreana coreen coreenne
kurdish kurdo kyrgyz lebanese libanes libanais libanaise liberian libyan malian maliense malien
malienne mauritanian mauritano mauritanien mexican mexicano mexicana mexicain mexicaine moldovan
mongolian moroccan marroqui marocain marocaine nepali nepales nepalais nepalaise nicaraguan
nicaraguense nicaraguayen nicaraguayenne nigerian nigeriano nigerian nigeriane nigerien pakistani
paquistani pakistanais pakistanaise palestinian palestino panamanian panameno panamena panameen
paraguayan paraguayo paraguaya paraguayen peruvian peruano peruana peruvien peruvienne filipino
filipina philippin philippine polish polaco polonais polonaise portuguese portugues portuguesa
portugais portugaise romanian rumano roumain roumaine russian ruso rusa russe russo russa rwandan
saudi senegalese senegales senegalais senegalaise somali somalien somalienne spanish espanol espanola
espagnol espagnole espanhol espanhola sri lankan sudanese sudanes soudanais syrian sirio siria syrien
syrienne tajik tanzanian thai togolese togolais tunisian turkish turco turca turc turque ugandan
ugandes ougandais ukrainian ucraniano ucraniana ukrainien ukrainienne uruguayan uruguayo uruguaya
uruguayen american estadounidense americain americaine americano americana uzbek venezuelan
venezolano venezolana venezuelien venezuelienne venezuelano venezuelana vietnamese vietnamita
vietnamien vietnamienne yemeni zambian zimbabwean stateless apatrida apatride
"""

_EXTRA_COUNTRY_NAMES = """
usa|us|u.s.|u.s.a.|united states|estados unidos|etats-unis|eua|uk|u.k.|great britain|england|
scotland|wales|russia|south korea|north korea|korea|iran|syria|vietnam|venezuela|bolivia|tanzania|
laos|moldova|czech republic|czechia|ivory coast|cote d'ivoire|cabo verde|cape verde|burma|myanmar|
dr congo|drc|congo|democratic republic of the congo|republic of the congo|palestine|taiwan|kosovo|
macedonia|north macedonia|turkey|turkiye|holland|the netherlands|mexique|mexico|bresil|brasil|
el salvador|guatemala|honduras|nicaragua|ecuador|equateur|haiti|haiti|peru|perou|colombie|
"""


@lru_cache(maxsize=1)
def country_words() -> frozenset[str]:
    """Folded country names and nationality adjectives (immutable, built once)."""
    names: set[str] = set(shipped().country_names)
    for item in _EXTRA_COUNTRY_NAMES.replace("\n", "").split("|"):
        if item.strip():
            names.add(fold(item.strip()))
    for word in _DEMONYMS.split():
        names.add(word)
    names.update({"sri lankan", "south african", "north korean", "south korean", "new zealander"})
    return frozenset(names)


@lru_cache(maxsize=1)
def country_codes() -> frozenset[str]:
    """ISO 3166 alpha-3 codes (``HND``); matched only when written in capitals."""
    return shipped().country_codes


@lru_cache(maxsize=8192)  # pure function of the cell; the same countries recur in every table
def is_country_or_nationality(value: str) -> bool:
    stripped = value.strip()
    if len(stripped) == 3 and stripped.isupper() and stripped in country_codes():
        return True
    text = fold(stripped).strip(".")
    if not text or len(text) > 60:
        return False
    if text in country_words():
        return True
    # "Mexico (MX)", "Honduras - HND"
    head = text.split("(")[0].split(" - ")[0].strip()
    return head in country_words()
