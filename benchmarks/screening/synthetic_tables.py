"""Name tables for the synthetic people generator (``synthetic.py``), curated by hand.

Arabic entries are ``arabic:Maghreb (French-style) spellings:Mashriq (English-style) spellings``,
commonest first; Chinese entries are ``characters:pinyin,other romanisations``. Every table is
independent from the matcher's own data; every person built from them is fictional.
"""

# arabic : Maghreb (French-style) spellings : Mashriq (English-style) spellings; commonest first.
ARABIC_MALE = """
محمد:Mohamed,Mohammed,Mohamad:Muhammad,Mohammed,Mohammad
أحمد:Ahmed:Ahmad,Ahmed
يوسف:Youssef,Youcef,Yousef:Yusuf,Youssef,Yousef
عبد اللطيف:Abdellatif,Abdelatif,Abdel Latif:Abd al-Latif,Abdel Latif,Abdul Latif,Abdullatif
عبد الرحمن:Abderrahmane,Abderrahman:Abd al-Rahman,Abdel Rahman,Abdulrahman
عبد الله:Abdellah,Abdallah:Abdullah,Abdallah,Abd Allah
عبد القادر:Abdelkader,Abdelkadir:Abd al-Qadir,Abdel Qader,Abdulkadir
عبد الحي:Abdelhay,Abdel Hay,Abdelhai:Abd al-Hayy,Abdel Hay,Abdul Hai
عبد العزيز:Abdelaziz,Abdel Aziz:Abd al-Aziz,Abdulaziz,Abdel Aziz
عبد السلام:Abdeslam,Abdessalam:Abd al-Salam,Abdel Salam,Abdulsalam
عبد الكريم:Abdelkrim,Abdelkarim:Abd al-Karim,Abdel Karim,Abdulkarim
علي:Ali:Ali
حسن:Hassan,Hacene:Hassan,Hasan
حسين:Houcine,Hocine:Hussein,Husayn,Hussain
عمر:Omar:Omar,Umar
خالد:Khalid,Khaled:Khaled,Khalid
إبراهيم:Brahim,Ibrahim:Ibrahim,Ebrahim
إسماعيل:Smail,Ismail:Ismail,Ismael
مصطفى:Mustapha,Mostafa:Mustafa,Moustafa
سعيد:Said,Saïd:Saeed,Said
رشيد:Rachid:Rashid,Rasheed
كريم:Karim:Karim,Kareem
عثمان:Othmane,Otmane:Othman,Uthman
نور الدين:Noureddine,Nour Eddine:Nur al-Din,Nuruddin,Noureddin
صلاح الدين:Salaheddine,Salah Eddine:Salah al-Din,Salahuddin
جمال:Jamal,Djamel:Jamal,Gamal
ياسين:Yassine,Yacine:Yassin,Yasin
أمين:Amine:Amin,Ameen
هشام:Hicham,Hichem:Hisham,Hesham
طارق:Tarik,Tarek:Tariq,Tarek
زكرياء:Zakaria,Zakariae:Zakariya,Zakaria
عادل:Adil,Adel:Adel,Adil
فيصل:Fayçal,Faycal:Faisal,Faysal
سليمان:Slimane,Soulaimane:Sulaiman,Suleiman
بلال:Bilal:Bilal
أيوب:Ayoub:Ayyub,Ayoub
إدريس:Driss,Idriss:Idris
حمزة:Hamza:Hamza,Hamzah
محمود:Mahmoud:Mahmoud,Mahmud
وليد:Walid:Walid,Waleed
عبد الإله:Abdelilah,Abdelillah:Abd al-Ilah,Abdel Ilah
"""
ARABIC_FEMALE = """
فاطمة:Fatima,Fatma:Fatima,Fatimah
خديجة:Khadija,Khadidja,Khedidja:Khadija,Khadijah
عائشة:Aicha,Aïcha:Aisha,Aysha
مريم:Meryem,Meriem:Maryam,Mariam
زينب:Zineb,Zeineb:Zainab,Zaynab
نادية:Nadia:Nadia,Nadya
سعاد:Souad:Suad,Souad
ليلى:Leila,Laila:Layla,Leila
أمينة:Amina:Amina,Aminah
نعيمة:Naima:Naima,Naeema
سلمى:Salma:Salma
هدى:Houda:Huda,Hoda
نور:Nour:Nour,Noor
إيمان:Imane,Imen:Iman,Eman
أسماء:Asmae,Asma:Asma,Asmaa
حنان:Hanane:Hanan
كوثر:Kaoutar,Kawtar:Kawthar
فاطمة الزهراء:Fatima Zahra,Fatima-Zahra,Fatimazahra:Fatima al-Zahra
وفاء:Wafae,Wafa:Wafa,Wafaa
ياسمين:Yasmine:Yasmin,Yasmeen
لبنى:Loubna:Lubna
منى:Mouna,Mona:Muna,Mona
"""
ARABIC_FAMILY_MAGHREB = """
العمراني:El Amrani,Elamrani,Amrani:Al-Amrani
العلوي:Alaoui,El Alaoui:Al-Alawi
الإدريسي:El Idrissi,Idrissi:Al-Idrisi
بناني:Bennani:Bannani
بن علي:Benali,Ben Ali:Bin Ali,Ibn Ali
بن يوسف:Benyoussef,Ben Youssef:Bin Yusuf
بن سالم:Bensalem,Ben Salem:Bin Salim
بن عبد الله:Benabdellah,Ben Abdellah:Bin Abdullah
بن مسعود:Benmessaoud,Ben Messaoud:Bin Masud
التازي:Tazi:Al-Tazi
الفاسي:El Fassi,Elfassi:Al-Fasi
الشرايبي:Chraibi:Al-Sharaybi
برادة:Berrada:Barrada
الزياني:Ziani:Al-Zayani
المنصوري:El Mansouri,Mansouri:Al-Mansouri
السعيدي:Essaidi,Saidi:Al-Saidi
حداد:Haddad:Haddad
بوعزة:Bouazza:Bu Azza
بلقاسم:Belkacem,Belkassem:Abu al-Qasim
الحسني:El Hassani,Hassani:Al-Hasani
العمري:El Omari,Elomari:Al-Omari,Al-Umari
الكتاني:El Kettani,Kettani:Al-Kattani
الشرقاوي:Cherkaoui:Al-Sharqawi
آيت علي:Ait Ali,Aitali:Ait Ali
"""
ARABIC_FAMILY_MASHRIQ = """
المصري:El Masry:Al-Masri,El-Masry,Al Masri
الحسيني:El Husseini:Al-Husseini,Al-Husayni
الخطيب:El Khatib:Al-Khatib,Khatib
الشامي:Chami:Al-Shami
النجار:Ennajjar:Al-Najjar,El-Naggar
القحطاني:Kahtani:Al-Qahtani,Alqahtani
الدوسري:Dosari:Al-Dosari,Al Dossary
العتيبي:Otaibi:Al-Otaibi,Alotaibi
المري:El Marri:Al-Marri,Al Marri
الهاشمي:El Hachimi:Al-Hashimi,Hashemi
الجبوري:Jebouri:Al-Jubouri,Al-Jaburi
الساعدي:Saadi:Al-Saadi
درويش:Derouich:Darwish,Darwich
خوري:Khoury:Khoury,Khouri
حجازي:Hejazi:Hegazy,Hijazi
منصور:Mansour:Mansour,Mansur
"""
FRENCH_MALE = "Jean Pierre Nicolas Julien Thomas Antoine Louis François Philippe Michel Alain Éric Théo Hugo Lucas Mathieu Sébastien Christophe Jérôme Olivier"  # noqa: E501
FRENCH_FEMALE = "Marie Camille Léa Chloé Manon Sophie Nathalie Isabelle Hélène Claire Anne Julie Céline Amélie Élodie Juliette Émilie Sandrine"  # noqa: E501
FRENCH_FAMILY = "Martin Bernard Dubois Thomas Robert Richard Petit Durand Leroy Moreau Simon Laurent Lefèvre Michel Garcia David Bertrand Roux Vincent Fournier Morel Girard Mercier Dupont Lambert Bonnet Le Goff Le Gall Faure Rousseau"  # noqa: E501
SPANISH_MALE = "José Antonio Manuel Francisco Juan David Javier Daniel Carlos Jesús Alejandro Miguel Rafael Pablo Sergio Fernando"  # noqa: E501
SPANISH_FEMALE = (
    "María Carmen Ana Isabel Laura Lucía Pilar Marta Elena Cristina Paula Raquel Rocío Sara Nuria"  # noqa: E501
)
SPANISH_FAMILY = "García Rodríguez González Fernández López Martínez Sánchez Pérez Gómez Martín Jiménez Ruiz Hernández Díaz Moreno Muñoz Álvarez Romero Alonso Gutiérrez Navarro Torres Domínguez Vázquez Ramos Núñez Iglesias Ortega Castro Peña"  # noqa: E501
ENGLISH_MALE = "James John Robert Michael William David Richard Joseph Thomas Christopher Daniel Matthew George Oliver Jack Harry"  # noqa: E501
ENGLISH_FEMALE = "Mary Patricia Jennifer Linda Elizabeth Barbara Susan Jessica Sarah Karen Emily Olivia Amelia Charlotte Emma Grace"  # noqa: E501
ENGLISH_FAMILY = "Smith Johnson Williams Brown Jones Miller Davis Wilson Taylor Anderson Jackson White Harris Thompson Moore Clark Lewis Walker Hall Young King Wright Scott Green Baker Evans O'Brien McDonald Murphy O'Connor"  # noqa: E501
# characters:pinyin,other romanisations (Wade-Giles, Cantonese) seen on Taiwanese/HK passports.
CHINESE_FAMILY = "王:Wang,Wong 李:Li,Lee 张:Zhang,Chang,Cheung 刘:Liu,Lau 陈:Chen,Chan 杨:Yang,Yeung 黄:Huang,Wong 赵:Zhao,Chao,Chiu 吴:Wu,Ng 周:Zhou,Chou,Chow 徐:Xu,Hsu,Tsui 孙:Sun,Suen 马:Ma,Mah 朱:Zhu,Chu 胡:Hu,Woo 郭:Guo,Kuo,Kwok 何:He,Ho 林:Lin,Lam 高:Gao,Kao 罗:Luo,Lo,Law 郑:Zheng,Cheng 梁:Liang,Leung 谢:Xie,Hsieh,Tse 宋:Song,Sung 唐:Tang,Tong 许:Xu,Hsu,Hui 邓:Deng,Teng,Tang 冯:Feng,Fung 曹:Cao,Tsao 彭:Peng,Pang 曾:Zeng,Tseng,Tsang 萧:Xiao,Hsiao,Siu 蔡:Cai,Tsai,Choi 潘:Pan,Poon 叶:Ye,Yeh,Yip 蒋:Jiang,Chiang"  # noqa: E501
CHINESE_GIVEN = "伟:wei 芳:fang 娜:na 敏:min 静:jing 丽:li 强:qiang 磊:lei 军:jun 洋:yang 勇:yong 艳:yan 杰:jie 涛:tao 明:ming 超:chao 秀:xiu 霞:xia 平:ping 刚:gang 英:ying 华:hua 玉:yu 建:jian 国:guo 小:xiao 海:hai 文:wen 红:hong 志:zhi 宇:yu 浩:hao 晨:chen 欣:xin 婷:ting 雪:xue 梅:mei 东:dong 鹏:peng 飞:fei 辉:hui 斌:bin 峰:feng 宁:ning 慧:hui 佳:jia 俊:jun 睿:rui 思:si 梓:zi 轩:xuan 晓:xiao 春:chun 云:yun 德:de 成:cheng 亮:liang"  # noqa: E501

# culture: (weight, nationalities with weights)
CULTURES = {
    "maghreb": (30, {"ma": 50, "dz": 25, "tn": 12, "fr": 10, "be": 3}),
    "mashriq": (20, {"eg": 30, "sa": 15, "qa": 8, "ae": 7, "jo": 8, "lb": 8, "sy": 10, "iq": 14}),
    "french": (18, {"fr": 85, "be": 8, "ch": 4, "ca": 3}),
    "spanish": (12, {"es": 70, "mx": 12, "ar": 8, "co": 10}),
    "english": (10, {"gb": 45, "us": 40, "ie": 8, "au": 7}),
    "chinese": (10, {"cn": 85, "tw": 8, "sg": 7}),
}
