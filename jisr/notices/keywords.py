"""Terms that suggest a political, military, religious or racial character (INTERPOL
Constitution, art. 3), in Arabic, French and English.

A match never refuses an alert by itself: it sends it to mandatory human review with the
matched terms shown. Latin terms are whole words, or stems when they end in ``*``, accents ignored;
Arabic terms are stems matched at the start of a word that may carry an attached conjunction,
preposition or article, diacritics and tatweel ignored.
"""

from __future__ import annotations

NEUTRALITY_TERMS: dict[str, dict[str, tuple[str, ...]]] = {
    "political": {
        "en": (
            "politic*",
            "opposition",
            "dissident*",
            "protest*",
            "demonstrat*",
            "election*",
            "coup",
            "sedition",
            "insult to the head of state",
            "lese-majeste",
            "regime",
            "separatis*",
            "activist*",
            "journalist*",
            "freedom of expression",
        ),
        "fr": (
            "politi*",
            "opposant*",
            "dissident",
            "manifestation*",
            "election",
            "coup d'etat",
            "sedition",
            "outrage au chef de l'etat",
            "lese-majeste",
            "regime",
            "separatis*",
            "militant*",
            "journaliste*",
            "liberte d'expression",
        ),
        "ar": (
            "سياسي",
            "سياسية",
            "معارض",
            "معارضة",
            "مظاهرة",
            "مظاهرات",
            "احتجاج",
            "انتخاب",
            "انقلاب",
            "المس بالمقدسات الوطنية",
            "إهانة رئيس الدولة",
            "صحفي",
            "حرية التعبير",
            "انفصالي",
        ),
    },
    "military": {
        "en": ("desert*", "mutiny", "insubordination", "military", "conscientious objector"),
        "fr": ("desert*", "mutinerie", "insoumission", "militaire", "objecteur de conscience"),
        "ar": ("فرار من الخدمة", "الفرار من الجندية", "تمرد عسكري", "عسكري", "عصيان"),
    },
    "religious": {
        "en": ("blasphem*", "apostas*", "religio*", "proselyti*", "heresy"),
        "fr": ("blasphem*", "apostasi*", "religi*", "proselyti*", "heresie"),
        "ar": ("ردة", "مرتد", "تجديف", "ازدراء الأديان", "تبشير", "ديني", "زعزعة عقيدة"),
    },
    "racial": {
        "en": ("racial", "ethnic", "tribe", "tribal"),
        "fr": ("racial", "ethni*", "tribu", "tribal*"),
        "ar": ("عرقي", "عنصري", "إثني", "قبلي"),
    },
}
