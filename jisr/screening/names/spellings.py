"""Conventional Latin spellings of common Arabic-script names, for people to read.

The matcher never reads this table (it compares consonant skeletons); the console shows these
spellings beside a name written in Arabic script. Each line is ``arabic:french:english``; an
empty English column means the French-style spelling is also the usual English one (a
Moroccan surname keeps its civil-register spelling whatever the reader's language).

Sources, curated by hand: the spellings used by the civil registers and passports of Morocco,
Algeria and Tunisia (French convention, e.g. ``Youssef``, ``Chafik``, ``Abderrahmane``) and the
English forms used by UK and US official publications and Wikipedia's article titles for the
same names (``Yusuf``, ``Shafiq``, ``Abdulrahman``); surnames from well-known bearers'
published spellings (Berrada, Benkirane, El Fassi...). No spelling is copied from the
evaluation data in benchmarks/.
"""

from __future__ import annotations

from functools import cache

from jisr.screening.names.arabic import normalize_arabic

_TABLE = """
محمد:Mohamed:Mohammed
احمد:Ahmed:
محمود:Mahmoud:
مصطفي:Mustapha:Mustafa
يوسف:Youssef:
يونس:Younes:Yunus
ابراهيم:Ibrahim:
اسماعيل:Ismail:
عمر:Omar:
عثمان:Othmane:Othman
علي:Ali:
حسن:Hassan:
حسين:Houssine:Hussein
خالد:Khalid:
كريم:Karim:
رشيد:Rachid:Rashid
سعيد:Saïd:Said
سمير:Samir:
نبيل:Nabil:
عادل:Adil:Adel
جمال:Jamal:
كمال:Kamal:
هشام:Hicham:Hisham
ادريس:Driss:Idris
عزيز:Aziz:
مهدي:Mehdi:
حمزة:Hamza:
ايوب:Ayoub:Ayub
انس:Anas:
بلال:Bilal:
طارق:Tarik:Tariq
زكرياء:Zakaria:Zakariya
زكريا:Zakaria:Zakariya
امين:Amine:Amin
ياسين:Yassine:Yasin
الياس:Ilyass:Ilyas
مراد:Mourad:Murad
فؤاد:Fouad:Fuad
جواد:Jaouad:Jawad
وليد:Oualid:Walid
رضا:Reda:Rida
منير:Mounir:Munir
نور:Nour:Nur
صلاح:Salah:
فيصل:Fayçal:Faisal
ناصر:Nasser:
منصور:Mansour:Mansur
سليمان:Slimane:Suleiman
زهير:Zouhair:Zuhair
شفيق:Chafik:Shafiq
اشرف:Achraf:Ashraf
اسامة:Oussama:Usama
عماد:Imad:
محسن:Mohsine:Mohsen
ياسر:Yasser:
جلال:Jalal:
توفيق:Toufik:Tawfiq
حميد:Hamid:
العربي:Larbi:
الحسن:Lahcen:Al-Hassan
بوشعيب:Bouchaib:
عبدالله:Abdellah:Abdullah
عبدالرحمن:Abderrahmane:Abdulrahman
عبدالعزيز:Abdelaziz:Abdulaziz
عبدالقادر:Abdelkader:Abdulqader
عبداللطيف:Abdellatif:Abdullatif
عبدالكريم:Abdelkrim:Abdulkarim
عبدالحق:Abdelhak:Abdulhaq
عبدالرحيم:Abderrahim:Abdulrahim
عبدالسلام:Abdeslam:Abdulsalam
عبدالمجيد:Abdelmajid:Abdulmajid
عبدالحميد:Abdelhamid:Abdulhamid
عبدالاله:Abdelilah:Abdulilah
عبدالحي:Abdelhay:Abdulhay
عبدالصمد:Abdessamad:Abdulsamad
عبدالنور:Abdennour:Abdulnour
فاطمة:Fatima:
خديجة:Khadija:
عائشة:Aïcha:Aisha
عايشة:Aïcha:Aisha
مريم:Meryem:Maryam
زينب:Zineb:Zainab
سناء:Sanaa:
سلمي:Salma:
ليلي:Leila:Layla
نادية:Nadia:
سعاد:Souad:Suad
حنان:Hanane:Hanan
اسماء:Asmae:Asma
ايمان:Imane:Iman
هدي:Houda:Huda
نجاة:Najat:
كوثر:Kaoutar:Kawthar
وفاء:Wafae:Wafa
سارة:Sara:
نعيمة:Naima:
لطيفة:Latifa:
رشيدة:Rachida:Rashida
سميرة:Samira:
كريمة:Karima:
امينة:Amina:
يسري:Yousra:Yusra
هاجر:Hajar:
شيماء:Chaimae:Shaima
الهام:Ilham:
غزلان:Ghizlane:Ghizlan
جميلة:Jamila:
دنيا:Dounia:Dunya
سكينة:Soukaina:Sukaina
نزهة:Nezha:Nuzha
بشري:Bouchra:Bushra
مني:Mouna:Muna
رجاء:Rajae:Raja
العمراني:El Amrani:
برادة:Berrada:
بنكيران:Benkirane:
الفاسي:El Fassi:
التازي:Tazi:
بناني:Bennani:
العلوي:Alaoui:
الادريسي:El Idrissi:
الكتاني:Kettani:
الشرقاوي:Cherkaoui:
بنعلي:Benali:
بنجلون:Benjelloun:
السلاوي:Slaoui:
الوزاني:Ouazzani:
المنصوري:El Mansouri:
الحسني:El Hassani:
بلحاج:Belhaj:
الخطابي:El Khattabi:
زروال:Zeroual:
بلقاسم:Belkacem:
الخلدوني:El Khaldouni:
الهاشمي:El Hachimi:Al-Hashimi
الانصاري:El Ansari:Al-Ansari
العثماني:El Othmani:
السعدي:Saadi:
بنعبدالله:Benabdellah:
بوزيد:Bouzid:
الشامي:Chami:Al-Shami
حجي:Hajji:
القحطاني:El Qahtani:Al-Qahtani
الدوسري:El Dossari:Al-Dosari
العتيبي:El Otaibi:Al-Otaibi
الشمري:El Shammari:Al-Shammari
الكعبي:El Kaabi:Al-Kaabi
المري:El Marri:Al-Marri
الثاني:Al Thani:
"""


@cache
def _spellings() -> dict[str, tuple[str, str]]:
    table: dict[str, tuple[str, str]] = {}
    for line in _TABLE.strip().splitlines():
        arabic, french, english = line.split(":")
        table[normalize_arabic(arabic)] = (french, english or french)
    return table


def conventional_spelling(arabic: str, french: bool) -> str | None:
    """The usual Latin spelling of one normalised Arabic-script name part, if tabled."""
    found = _spellings().get(arabic)
    if found is None:
        return None
    return found[0] if french else found[1]
