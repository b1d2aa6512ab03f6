"""The words of the printed reports in English, French and Arabic.

The PDF is made by the reports domain, which may not use the console's catalogues (an
interface), so its vocabulary is kept here, one entry per label: (English, French, Arabic).
"""

from __future__ import annotations

LANGUAGES = ("en", "fr", "ar")

TEXT: dict[str, tuple[str, str, str]] = {
    "partner_title": (
        "Periodic assessment of the partnership",
        "Évaluation périodique du partenariat",
        "التقييم الدوري للشراكة",
    ),
    "transparency_title": ("Transparency report", "Rapport de transparence", "تقرير الشفافية"),
    "between": (
        "Between %(local)s and %(partner)s",
        "Entre %(local)s et %(partner)s",
        "بين %(local)s و%(partner)s",
    ),
    "period": ("Period", "Période", "الفترة"),
    "certificate_title": (
        "Certificate of attendance",
        "Attestation de formation",
        "شهادة حضور دورة تدريبية",
    ),
    "certifies": (
        "%(issuer)s certifies that",
        "%(issuer)s atteste que",
        "تشهد %(issuer)s بأن",
    ),
    "of_agency": ("of %(agency)s", "de %(agency)s", "من %(agency)s"),
    "attended_course": (
        "attended the course",
        "a suivi la formation",
        "حضر الدورة التدريبية",
    ),
    "certificate_valid_until": (
        "Valid until %(date)s",
        "Valable jusqu’au %(date)s",
        "صالحة حتى %(date)s",
    ),
    "certificate_no_end": (
        "Valid without end date",
        "Valable sans limite de durée",
        "صالحة دون تاريخ انتهاء",
    ),
    "certificate_revoked": (
        "Revoked on %(date)s: %(reason)s",
        "Révoquée le %(date)s : %(reason)s",
        "أُلغيت في %(date)s: %(reason)s",
    ),
    "certificate_id": ("Certificate", "Attestation", "الشهادة"),
    "certificate_note": (
        "The signed credential is inside this file. Verify it with: jisr training verify FILE",
        "L’attestation signée est contenue dans ce fichier. Vérification : "
        "jisr training verify FICHIER",
        "الشهادة الموقّعة مضمّنة في هذا الملف. للتحقق: jisr training verify FILE",
    ),
    "period_range": (
        "From %(start)s to %(end)s",
        "Du %(start)s au %(end)s",
        "من %(start)s إلى %(end)s",
    ),
    "partial": (
        "The period is not over: figures run to %(at)s.",
        "La période n’est pas terminée : chiffres arrêtés au %(at)s.",
        "الفترة لم تنته بعد: الأرقام محسوبة حتى %(at)s.",
    ),
    "generated": (
        "Produced on %(at)s by %(agency)s",
        "Établi le %(at)s par %(agency)s",
        "أُعدّ في %(at)s من طرف %(agency)s",
    ),
    "signed_note": (
        "This document is signed with the node's Ed25519 key %(key)s. "
        "Check it with: jisr report verify FILE --key PUBLIC_KEY",
        "Ce document est signé avec la clé Ed25519 du nœud %(key)s. "
        "Vérification : jisr report verify FICHIER --key CLÉ_PUBLIQUE",
        "هذه الوثيقة موقّعة بمفتاح Ed25519 الخاص بالعقدة %(key)s. "
        "للتحقق: jisr report verify FILE --key PUBLIC_KEY",
    ),
    "figure": ("Figure", "Indicateur", "المؤشر"),
    "ours": ("By us", "Par nous", "من جانبنا"),
    "theirs": ("By the partner", "Par le partenaire", "من جانب الشريك"),
    "exchange": ("Information exchange", "Échange d’informations", "تبادل المعلومات"),
    "messages_sent": ("Messages sent", "Messages envoyés", "الرسائل المرسلة"),
    "messages": ("Messages", "Messages", "الرسائل"),
    "requests": ("Requests", "Demandes", "الطلبات"),
    "sent_received": ("Sent / received", "Envoyés / reçus", "المرسلة / المستلمة"),
    "sent": ("Sent", "Envoyés", "المرسلة"),
    "received": ("Received", "Reçus", "المستلمة"),
    "deadlines": ("Requests and their deadlines", "Demandes et délais", "الطلبات وآجالها"),
    "answered_by_us": ("Answered by us", "Traitées par nous", "أجبنا عنها"),
    "answered_by_them": (
        "Answered by the partner",
        "Traitées par le partenaire",
        "أجاب عنها الشريك",
    ),
    "on_time": ("Answered within the deadline", "Traitées dans le délai", "أُجيب عنها في الأجل"),
    "late": ("Answered late", "Traitées en retard", "أُجيب عنها بعد الأجل"),
    "overdue": (
        "Unanswered, past the deadline",
        "Sans réponse, délai dépassé",
        "بدون جواب، تجاوزت الأجل",
    ),
    "pending": (
        "Unanswered, within the deadline",
        "Sans réponse, dans le délai",
        "بدون جواب، ضمن الأجل",
    ),
    "on_time_share": ("Share answered in time", "Part traitée dans le délai", "نسبة الرد في الأجل"),
    "median": ("Median time to answer", "Délai médian de réponse", "الوسيط الزمني للرد"),
    "hours": ("%(hours)s h", "%(hours)s h", "%(hours)s س"),
    "alerts": ("Alerts", "Alertes", "النشرات"),
    "alerts_published": (
        "Our alerts sent to the partner",
        "Nos alertes envoyées au partenaire",
        "نشراتنا المرسلة إلى الشريك",
    ),
    "alerts_received": (
        "The partner's alerts received",
        "Alertes du partenaire reçues",
        "نشرات الشريك المستلمة",
    ),
    "alerts_refused": (
        "Our alerts refused by review (in the partnership's scope)",
        "Nos alertes refusées à l’examen (dans le champ du partenariat)",
        "نشراتنا المرفوضة عند المراجعة (ضمن نطاق الشراكة)",
    ),
    "refused_by_ground": ("Refusals by ground", "Refus par motif", "الرفض حسب السبب"),
    "hits": ("Screening hits", "Concordances de criblage", "تطابقات الفحص"),
    "hits_ours": (
        "Our hits on the partner's alerts",
        "Nos concordances sur les alertes du partenaire",
        "تطابقاتنا مع نشرات الشريك",
    ),
    "hits_theirs": (
        "The partner's hits on our alerts",
        "Concordances du partenaire sur nos alertes",
        "تطابقات الشريك مع نشراتنا",
    ),
    "confirmed": ("of which confirmed", "dont confirmées", "منها مؤكدة"),
    "deletions": ("Deletion", "Effacement", "الحذف"),
    "receipts": (
        "Deletion receipts from the partner",
        "Accusés d’effacement du partenaire",
        "إشعارات الحذف من الشريك",
    ),
    "awaiting": (
        "Withdrawals awaiting a receipt",
        "Retraits en attente d’accusé",
        "سحوبات بانتظار إشعار",
    ),
    "erased": (
        "Partner's copies we erased",
        "Copies du partenaire effacées chez nous",
        "نسخ الشريك التي حذفناها",
    ),
    "operations": (
        "Joint operations and events",
        "Opérations et événements conjoints",
        "العمليات والتظاهرات المشتركة",
    ),
    "operations_count": (
        "Joint operations under way",
        "Opérations conjointes en cours",
        "العمليات المشتركة الجارية",
    ),
    "events_count": (
        "Major events coordinated",
        "Grands événements coordonnés",
        "التظاهرات الكبرى المنسقة",
    ),
    "training": ("Training", "Formation", "التدريب"),
    "seats_offered": ("Seats offered", "Places offertes", "المقاعد المعروضة"),
    "trained": ("Officers trained", "Agents formés", "الأطر المكوَّنة"),
    "trend": ("Trend", "Évolution", "التطور"),
    "trend_caption": (
        "The same figures over the periods before",
        "Les mêmes chiffres sur les périodes précédentes",
        "نفس الأرقام خلال الفترات السابقة",
    ),
    "none": ("None", "Aucun", "لا شيء"),
    "ground.political": ("Political character", "Caractère politique", "طابع سياسي"),
    "ground.military": ("Military character", "Caractère militaire", "طابع عسكري"),
    "ground.religious": ("Religious character", "Caractère religieux", "طابع ديني"),
    "ground.racial": ("Racial character", "Caractère racial", "طابع عرقي"),
    "ground.refugee_status": ("Refugee status", "Statut de réfugié", "صفة اللاجئ"),
    "ground.insufficient_identifiers": (
        "Insufficient identifiers",
        "Éléments d’identification insuffisants",
        "عناصر تعريف غير كافية",
    ),
    "ground.not_serious_enough": ("Not serious enough", "Gravité insuffisante", "خطورة غير كافية"),
    "ground.no_legal_basis": ("No legal basis", "Absence de base légale", "غياب الأساس القانوني"),
    "ground.duplicate": (
        "Duplicate of another alert",
        "Doublon d’une autre alerte",
        "نسخة مكررة من نشرة أخرى",
    ),
    "ground.other": ("Other", "Autre", "سبب آخر"),
    # Transparency report
    "audit_range": (
        "Computed from audit entries %(first)s to %(last)s; trail head at %(head)s (%(hash)s).",
        "Calculé à partir des entrées d’audit %(first)s à %(last)s ; "
        "tête du journal à %(head)s (%(hash)s).",
        "محسوب من قيود التدقيق %(first)s إلى %(last)s؛ رأس السجل عند %(head)s (%(hash)s).",
    ),
    "source": ("Audit query", "Requête d’audit", "استعلام سجل التدقيق"),
    "entries": ("Entries counted", "Entrées comptées", "القيود المحتسبة"),
    "value": ("Value", "Valeur", "القيمة"),
    "reviews": ("Review of alerts", "Examen des alertes", "مراجعة النشرات"),
    "alerts.refused": ("Alerts refused", "Alertes refusées", "النشرات المرفوضة"),
    "alerts.approved": ("Alerts approved", "Alertes approuvées", "النشرات المقبولة"),
    "alerts.retracted": (
        "Review decisions retracted",
        "Décisions d’examen rétractées",
        "قرارات مراجعة مسحوبة",
    ),
    "dsr": ("Data-subject requests", "Demandes des personnes concernées", "طلبات الأشخاص المعنيين"),
    "requests.received.access": (
        "Access requests received",
        "Demandes d’accès reçues",
        "طلبات الاطلاع المستلمة",
    ),
    "requests.received.correction": (
        "Correction requests received",
        "Demandes de rectification reçues",
        "طلبات التصحيح المستلمة",
    ),
    "requests.received.deletion": (
        "Deletion requests received",
        "Demandes d’effacement reçues",
        "طلبات الحذف المستلمة",
    ),
    "requests.decided.granted": ("Requests granted", "Demandes accordées", "الطلبات المقبولة"),
    "requests.decided.refused": ("Requests refused", "Demandes refusées", "الطلبات المرفوضة"),
    "requests.decided_in_time": (
        "Decided within the legal time",
        "Décidées dans le délai légal",
        "بُتّ فيها داخل الأجل القانوني",
    ),
    "requests.decided_late": (
        "Decided after the legal time",
        "Décidées après le délai légal",
        "بُتّ فيها بعد الأجل القانوني",
    ),
    "requests.open_overdue": (
        "Open at the period's end, past due",
        "Ouvertes en fin de période, en retard",
        "مفتوحة في نهاية الفترة، متأخرة",
    ),
    "requests.open_in_time": (
        "Open at the period's end, within time",
        "Ouvertes en fin de période, dans le délai",
        "مفتوحة في نهاية الفترة، ضمن الأجل",
    ),
    "transparency_note": (
        "Each figure counts audit entries; the query and the sequence numbers let an oversight "
        "body recount it from an exported, verified audit trail.",
        "Chaque chiffre compte des entrées d’audit ; la requête et les numéros de séquence "
        "permettent à un organe de contrôle de le recompter à partir d’un export vérifié du "
        "journal d’audit.",
        "كل رقم يعدّ قيوداً من سجل التدقيق؛ يتيح الاستعلام وأرقام التسلسل لهيئة الرقابة إعادة "
        "حسابه من نسخة مصدَّرة ومتحقق منها من سجل التدقيق.",
    ),
}


def text(lang: str, label: str, **values: object) -> str:
    """The label ``label`` in ``lang`` (English when unknown), placeholders filled."""
    entry = TEXT.get(label)
    if entry is None:
        return label
    chosen = entry[LANGUAGES.index(lang)] if lang in LANGUAGES else entry[0]
    return chosen % values if values else chosen
