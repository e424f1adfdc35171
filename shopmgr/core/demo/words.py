"""German word lists for the demo data: people, places, companies, products and their texts.

Every list is a tuple so that its order, and with it the generated data, never changes by accident.
"""

FIRST_NAMES = (
    "Anna", "Lena", "Laura", "Julia", "Sarah", "Lisa", "Katharina", "Hannah", "Lea", "Marie",
    "Sophie", "Johanna", "Clara", "Emma", "Mia", "Charlotte", "Sabine", "Petra", "Claudia", "Monika",
    "Ursula", "Birgit", "Andrea", "Stefanie", "Nicole", "Jana", "Melanie", "Franziska", "Greta",
    "Ida", "Lukas", "Leon", "Jonas", "Felix", "Maximilian", "Paul", "Elias", "Finn", "Noah", "Ben",
    "Tim", "Jan", "Niklas", "Tobias", "Florian", "Sebastian", "Alexander", "Michael", "Thomas",
    "Andreas", "Stefan", "Markus", "Christian", "Daniel", "Matthias", "Frank", "Jürgen", "Uwe",
    "Klaus", "Wolfgang", "Dirk", "Moritz", "Jannik", "Emil", "Anton", "Mehmet", "Ayşe", "Fatma",
    "Can", "Elif", "Piotr", "Katarzyna", "Giulia", "Luca", "Sofia", "Dimitri", "Olga",
)

LAST_NAMES = (
    "Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz",
    "Hoffmann", "Schäfer", "Koch", "Bauer", "Richter", "Klein", "Wolf", "Schröder", "Neumann",
    "Schwarz", "Zimmermann", "Braun", "Krüger", "Hofmann", "Hartmann", "Lange", "Schmitt", "Werner",
    "Schmitz", "Krause", "Meier", "Lehmann", "Schmid", "Schulze", "Maier", "Köhler", "Herrmann",
    "König", "Walter", "Mayer", "Huber", "Kaiser", "Fuchs", "Peters", "Lang", "Scholz", "Möller",
    "Weiß", "Jung", "Hahn", "Schubert", "Vogel", "Friedrich", "Keller", "Günther", "Frank", "Berger",
    "Winkler", "Roth", "Beck", "Lorenz", "Baumann", "Franke", "Albrecht", "Schuster", "Simon",
    "Ludwig", "Böhm", "Winter", "Kraus", "Martin", "Yılmaz", "Kaya", "Nowak", "Kowalski", "Rossi",
)

# (city, adjective form for company names)
CITIES = (
    ("Berlin", "Berliner"), ("Hamburg", "Hamburger"), ("München", "Münchner"),
    ("Köln", "Kölner"), ("Frankfurt am Main", "Frankfurter"), ("Stuttgart", "Stuttgarter"),
    ("Düsseldorf", "Düsseldorfer"), ("Leipzig", "Leipziger"), ("Dortmund", "Dortmunder"),
    ("Essen", "Essener"), ("Bremen", "Bremer"), ("Dresden", "Dresdner"), ("Hannover", "Hannoveraner"),
    ("Nürnberg", "Nürnberger"), ("Duisburg", "Duisburger"), ("Bochum", "Bochumer"),
    ("Wuppertal", "Wuppertaler"), ("Bielefeld", "Bielefelder"), ("Bonn", "Bonner"),
    ("Münster", "Münsteraner"), ("Mannheim", "Mannheimer"), ("Karlsruhe", "Karlsruher"),
    ("Augsburg", "Augsburger"), ("Wiesbaden", "Wiesbadener"), ("Kiel", "Kieler"),
    ("Aachen", "Aachener"), ("Freiburg", "Freiburger"), ("Lübeck", "Lübecker"),
    ("Rostock", "Rostocker"), ("Kassel", "Kasseler"), ("Potsdam", "Potsdamer"),
    ("Mainz", "Mainzer"), ("Erfurt", "Erfurter"), ("Regensburg", "Regensburger"),
    ("Würzburg", "Würzburger"), ("Heidelberg", "Heidelberger"), ("Oldenburg", "Oldenburger"),
    ("Osnabrück", "Osnabrücker"), ("Saarbrücken", "Saarbrücker"), ("Wien", "Wiener"),
)

TRADES = (
    "Haustechnik", "Elektrotechnik", "Büroservice", "Gastronomie", "Praxisbedarf", "Immobilien",
    "Steuerberatung", "Physiotherapie", "Kindertagesstätte", "Hotelbetrieb", "Gartenbau",
    "Schreinerei", "Bäckerei", "Fitnessstudio", "Architekten", "Werbeagentur", "Logistik",
    "Autohaus", "Sportverein", "Zahnarztpraxis",
)
LEGAL_FORMS = ("GmbH", "GmbH & Co. KG", "KG", "e.K.", "AG", "UG (haftungsbeschränkt)", "GbR", "e.V.")

SUPPLIERS = (
    # name, root codes supplied, lead time range (days)
    ("Textilwerk Nord GmbH", ("FASHION",), (7, 21)),
    ("Modehaus Brenner Import KG", ("FASHION", "SHOES"), (14, 45)),
    ("Elbe Fashion Trading GmbH", ("FASHION",), (10, 30)),
    ("Strickerei Allgäu GmbH", ("FASHION",), (5, 14)),
    ("Schuhfabrik Pirmasens GmbH", ("SHOES",), (7, 21)),
    ("Step & Go Distribution GmbH", ("SHOES", "SPORTS"), (10, 35)),
    ("Voltaro Europe GmbH", ("ELECTRONICS",), (3, 10)),
    ("Nexatek Distribution B.V.", ("ELECTRONICS",), (5, 14)),
    ("Shenzhen Bright Star Ltd.", ("ELECTRONICS", "TOYS"), (30, 60)),
    ("Elektro-Großhandel Rhein-Main GmbH", ("ELECTRONICS",), (2, 5)),
    ("Küchenwelt Vertrieb GmbH", ("HOME",), (5, 12)),
    ("Möbelwerk Ostwestfalen GmbH", ("HOME",), (14, 42)),
    ("Casa Nord Interior ApS", ("HOME",), (10, 28)),
    ("Glas & Keramik Lausitz GmbH", ("HOME",), (7, 21)),
    ("Grünkraft Gartenbedarf GmbH", ("GARDEN",), (4, 10)),
    ("Baumschule Holsteiner Land KG", ("GARDEN",), (3, 7)),
    ("Motorgeräte Süd GmbH", ("GARDEN",), (7, 21)),
    ("Fitwerk Sports GmbH", ("SPORTS",), (5, 14)),
    ("Alpin Outdoor Handels GmbH", ("SPORTS",), (10, 30)),
    ("Holzspielwaren Erzgebirge GmbH", ("TOYS",), (7, 28)),
    ("Spielwiese Toys Import GmbH", ("TOYS",), (14, 45)),
    ("Kosmetikvertrieb Hanse GmbH", ("BEAUTY",), (3, 10)),
    ("Duftwerk Parfümerie-Großhandel KG", ("BEAUTY",), (5, 14)),
    ("Barsortiment Nordlicht GmbH", ("BOOKS",), (1, 3)),
    ("Verlagsauslieferung Süd GmbH", ("BOOKS",), (2, 5)),
    ("Röstwerk Hamburg GmbH", ("FOOD",), (2, 7)),
    ("Feinkost Bergbauer eG", ("FOOD",), (3, 10)),
    ("Süßwaren Union Aachen GmbH", ("FOOD",), (3, 10)),
    ("Multi-Sortiment Logistik GmbH", ("HOME", "GARDEN", "TOYS", "SPORTS"), (5, 14)),
    ("Zentrallager Mitte GmbH", ("BEAUTY", "FOOD", "HOME"), (2, 6)),
)

BRANDS = {
    "FASHION": ("Nordkind", "Elbstil", "Lina & Lou", "Hafenblau", "Urban Wolf", "Fjordline", "Mira Berg"),
    "SHOES": ("Schrittwerk", "Laufmeister", "Stadtschuh", "Kiesel", "Alpenpfad"),
    "ELECTRONICS": ("Voltaro", "Klangwerk", "Nexatek", "Pixelhaus", "Sonora", "Techlin"),
    "HOME": ("Wohnglück", "Küchenheld", "Holzwerk", "Lichtblick", "Casa Nord"),
    "GARDEN": ("Gartenfreund", "Grünkraft", "Wurzelwerk", "Gartenprofi"),
    "SPORTS": ("Gipfelstürmer", "Fitwerk", "Ausdauer", "Trailkind"),
    "TOYS": ("Spielwiese", "Kleine Helden", "Holzwurm", "Bauklotz & Co."),
    "BEAUTY": ("Hautnah", "Blütenzart", "Pure Skin", "Duftwerk"),
    "BOOKS": ("Hafenverlag", "Lindenblatt Verlag", "Nordlicht Verlag", "Edition Kiel"),
    "FOOD": ("Röstwerk", "Bergbauer", "Naschkatze", "Nussknacker", "Hanse Rösterei"),
}

LINES = ("Classic", "Comfort", "Pro", "Eco", "Premium", "Basic", "Urban", "Nordic", "Soft", "Active",
         "Select", "Vintage", "Essential", "Plus", "Lite", "Max")
COLOURS = ("Schwarz", "Weiß", "Grau", "Navy", "Beige", "Rot", "Grün", "Blau", "Rosa", "Oliv", "Braun",
           "Anthrazit", "Creme", "Bordeaux")
TEXTILES = ("Baumwolle", "Bio-Baumwolle", "Viskose", "Wolle", "Leinen", "Polyester", "Baumwoll-Elasthan")
LEATHERS = ("Glattleder", "Wildleder", "Textil", "Synthetik", "Nubukleder")
HARD_MATERIALS = ("Holz (Eiche)", "Holz (Buche)", "Edelstahl", "Keramik", "Glas", "Metall", "Kunststoff",
                  "Bambus")
CLOTHING_SIZES = ("XS", "S", "M", "L", "XL", "XXL")
KIDS_SIZES = ("92", "98", "104", "110", "116", "122", "128", "134", "140", "146", "152")
AUTHOR_FIRST = ("Anne", "Jakob", "Marlene", "Henrik", "Svenja", "Konrad", "Ilse", "Malte", "Theresa",
                "Rainer", "Dorothea", "Bastian")
AUTHOR_LAST = ("Lindqvist", "Hansen", "Brückner", "Sommerfeld", "Kranich", "Albers", "Vogt", "Ostermann",
               "Falk", "Reuter", "Steinbach", "Wiegand")
TITLE_HEAD = ("Die Stille", "Das Haus", "Der Sommer", "Die Insel", "Nächte", "Das Erbe", "Der Weg",
              "Die Schwestern", "Das Leuchten", "Der letzte Winter", "Die Apfelbäume", "Das Echo")
TITLE_TAIL = ("am See", "der Erinnerung", "im Norden", "von Kirchberg", "ohne Namen", "über dem Watt",
              "hinter den Dünen", "in Lissabon", "der Zugvögel", "im Alten Land")
NONFICTION_TOPICS = ("Brot backen", "Skandinavien", "Gelassenheit", "Finanzen", "Gartenplanung",
                     "Deutsche Geschichte", "Kinder verstehen", "Ostsee", "Vegetarisch kochen",
                     "Homeoffice", "Fahrradtouren", "Astronomie")

# Leaf categories: code, English name, and the article kinds sold there:
# (noun, lowest gross price EUR, highest gross price EUR).
LEAVES = {
    "FASHION": (
        ("WOMEN", "Women", (("Bluse", 20, 70), ("Kleid", 30, 140), ("Jeans", 35, 120),
                            ("Strickpullover", 30, 110), ("T-Shirt", 10, 35), ("Rock", 25, 80),
                            ("Blazer", 50, 180), ("Mantel", 80, 300), ("Cardigan", 30, 100))),
        ("MEN", "Men", (("Hemd", 25, 80), ("Chino", 35, 100), ("Jeans", 35, 130), ("Pullover", 30, 120),
                        ("Poloshirt", 20, 60), ("Sakko", 80, 250), ("Jacke", 60, 220), ("T-Shirt", 10, 35),
                        ("Hoodie", 30, 90))),
        ("KIDS", "Kids", (("Kinder-T-Shirt", 7, 20), ("Kinderjacke", 25, 80), ("Leggings", 8, 20),
                          ("Sweatjacke", 18, 45), ("Schlafanzug", 15, 35), ("Matschhose", 20, 45))),
        ("ACCESSORIES", "Accessories", (("Schal", 15, 60), ("Mütze", 12, 40), ("Gürtel", 15, 70),
                                        ("Handtasche", 30, 200), ("Rucksack", 30, 130),
                                        ("Sonnenbrille", 20, 150))),
    ),
    "SHOES": (
        ("WOMEN", "Women's shoes", (("Sneaker", 50, 140), ("Stiefelette", 60, 180), ("Pumps", 40, 130),
                                    ("Ballerina", 30, 90), ("Sandale", 30, 100), ("Loafer", 50, 130))),
        ("MEN", "Men's shoes", (("Sneaker", 50, 150), ("Schnürschuh", 70, 200), ("Chelsea Boots", 80, 220),
                                ("Laufschuh", 60, 180), ("Sandale", 30, 90), ("Winterstiefel", 70, 200))),
        ("KIDS", "Kids' shoes", (("Lauflernschuh", 30, 60), ("Kinder-Sneaker", 30, 70),
                                 ("Gummistiefel", 15, 40), ("Hausschuh", 12, 30), ("Winterstiefel", 35, 80))),
    ),
    "ELECTRONICS": (
        ("PHONES", "Phones", (("Smartphone", 180, 1300), ("Handyhülle", 10, 40), ("Ladegerät 30 W", 15, 40),
                              ("Displayschutzglas", 8, 25), ("Powerbank 10.000 mAh", 20, 60),
                              ("USB-C-Kabel 2 m", 8, 25))),
        ("AUDIO", "Audio", (("Bluetooth-Kopfhörer", 40, 350), ("In-Ear-Kopfhörer", 20, 250),
                            ("Bluetooth-Lautsprecher", 30, 300), ("Soundbar", 100, 700),
                            ("DAB+-Radio", 40, 200))),
        ("COMPUTERS", "Computers", (("Notebook 15,6 Zoll", 450, 1800), ("Funkmaus", 15, 90),
                                    ("Tastatur", 25, 160), ("Monitor 27 Zoll", 150, 600),
                                    ("Webcam", 30, 150), ("SSD 1 TB", 60, 180), ("USB-Stick 128 GB", 10, 35))),
        ("TV", "TV & video", (("Fernseher 55 Zoll", 450, 1800), ("Fernseher 43 Zoll", 280, 800),
                              ("TV-Wandhalterung", 25, 90), ("Streaming-Stick", 30, 80),
                              ("HDMI-Kabel 3 m", 8, 30))),
    ),
    "HOME": (
        ("KITCHEN", "Kitchen", (("Pfanne 28 cm", 25, 120), ("Topfset 5-teilig", 60, 300),
                                ("Messerblock", 50, 250), ("Kaffeevollautomat", 300, 1100),
                                ("Wasserkocher", 25, 90), ("Toaster", 25, 100), ("Vorratsdosen-Set", 15, 50))),
        ("FURNITURE", "Furniture", (("Couchtisch", 80, 400), ("Regal", 50, 300), ("Schreibtisch", 120, 600),
                                    ("Bürostuhl", 100, 500), ("Sideboard", 150, 800), ("Nachttisch", 50, 200))),
        ("DECOR", "Decoration", (("Kerzenhalter", 10, 40), ("Vase", 15, 80), ("Bilderrahmen", 8, 40),
                                 ("Kissenhülle", 10, 35), ("Teppich 160x230", 80, 400), ("Stehlampe", 50, 250))),
    ),
    "GARDEN": (
        ("TOOLS", "Garden tools", (("Akku-Rasenmäher", 200, 700), ("Heckenschere", 40, 250),
                                   ("Gartenschlauch 25 m", 20, 70), ("Spaten", 20, 60),
                                   ("Akku-Rasentrimmer", 60, 250), ("Schubkarre", 50, 150))),
        ("PLANTS", "Plants & soil", (("Blumenerde 40 l", 8, 20), ("Rasensamen 1 kg", 12, 35),
                                     ("Pflanzkübel", 15, 90), ("Hochbeet", 60, 250),
                                     ("Kräutersaat-Set", 8, 25), ("Flüssigdünger 1 l", 7, 20))),
    ),
    "SPORTS": (
        ("FITNESS", "Fitness", (("Yogamatte", 15, 80), ("Kurzhantel-Set", 30, 150), ("Springseil", 8, 30),
                                ("Fitnessband-Set", 12, 40), ("Trainingsbank", 80, 300), ("Kettlebell 12 kg", 30, 80))),
        ("OUTDOOR", "Outdoor", (("Zelt 2 Personen", 80, 400), ("Schlafsack", 40, 250),
                                ("Wanderrucksack 30 l", 50, 180), ("Trinkflasche", 12, 40),
                                ("Stirnlampe", 15, 70), ("Trekkingstöcke", 30, 120))),
    ),
    "TOYS": (
        ("GAMES", "Games & puzzles", (("Brettspiel", 20, 60), ("Puzzle 1000 Teile", 12, 30),
                                      ("Kartenspiel", 8, 20), ("Bausteine-Set", 25, 150),
                                      ("Modellauto", 15, 60), ("Puppe", 20, 70))),
        ("BABY", "Baby & toddler", (("Greifling", 8, 20), ("Spieluhr", 15, 40), ("Stapelbecher", 8, 18),
                                    ("Kuscheltier", 12, 40), ("Holzeisenbahn", 30, 120), ("Badespielzeug", 8, 25))),
    ),
    "BEAUTY": (
        ("SKINCARE", "Skin care", (("Feuchtigkeitscreme 50 ml", 10, 60), ("Reinigungsgel 150 ml", 8, 25),
                                   ("Gesichtsserum 30 ml", 15, 80), ("Sonnencreme LSF 50", 10, 30),
                                   ("Handcreme 75 ml", 5, 15))),
        ("FRAGRANCE", "Fragrance", (("Eau de Parfum 50 ml", 35, 130), ("Eau de Toilette 100 ml", 25, 90),
                                    ("Duschgel 250 ml", 4, 12), ("Deospray 150 ml", 4, 10),
                                    ("Bodylotion 400 ml", 6, 20))),
    ),
    "BOOKS": (
        ("FICTION", "Fiction", (("Roman (Taschenbuch)", 11, 16), ("Roman (Hardcover)", 20, 28),
                                ("Krimi (Taschenbuch)", 11, 15))),
        ("NONFICTION", "Non-fiction", (("Kochbuch", 20, 40), ("Reiseführer", 15, 28), ("Ratgeber", 15, 25),
                                       ("Sachbuch", 18, 32))),
    ),
    "FOOD": (
        ("COFFEE", "Coffee & tea", (("Kaffeebohnen 1 kg", 14, 35), ("Espresso 500 g", 9, 20),
                                    ("Filterkaffee gemahlen 500 g", 6, 14), ("Tee-Sortiment", 8, 25),
                                    ("Trinkschokolade 250 g", 5, 12))),
        ("SNACKS", "Snacks & sweets", (("Schokolade 100 g", 2, 5), ("Nussmischung 200 g", 4, 9),
                                       ("Fruchtgummi 175 g", 2, 4), ("Müsliriegel 6er-Pack", 3, 6),
                                       ("Kekse 250 g", 3, 7), ("Geschenkbox Pralinen", 12, 35))),
    ),
}

ROOT_NAMES = {
    "FASHION": "Fashion", "SHOES": "Shoes", "ELECTRONICS": "Electronics", "HOME": "Home & living",
    "GARDEN": "Garden", "SPORTS": "Sports & outdoor", "TOYS": "Toys", "BEAUTY": "Beauty",
    "BOOKS": "Books", "FOOD": "Food & drink",
}

DESCRIPTION_OPENERS = (
    "{name} von {brand}.",
    "Das Modell {line} von {brand}: {noun} für jeden Tag.",
    "{brand} {noun} aus der Serie {line}.",
)
DESCRIPTION_DETAILS = {
    "FASHION": ("Angenehm weich auf der Haut und formstabil auch nach vielen Wäschen.",
                "Bequemer Schnitt, der sich leicht kombinieren lässt.",
                "Maschinenwaschbar bei 30 °C, nicht in den Trockner geben."),
    "SHOES": ("Gepolsterte Innensohle für langes Gehen.", "Rutschfeste Laufsohle aus Gummi.",
              "Fällt normal aus; bei breiten Füßen eine Nummer größer wählen."),
    "ELECTRONICS": ("24 Monate Herstellergarantie.", "Lieferumfang: Gerät, Kabel, Kurzanleitung.",
                    "Energieeffizient und leise im Betrieb."),
    "HOME": ("Pflegeleicht und langlebig.", "Zeitloses Design, passt in jede Einrichtung.",
             "Lieferung teilweise zerlegt, Montageanleitung liegt bei."),
    "GARDEN": ("Wetterfest und robust.", "Für kleine und mittlere Gärten.", "Ideal für die Saison im Frühjahr."),
    "SPORTS": ("Leicht und strapazierfähig.", "Für Einsteiger und Fortgeschrittene.",
               "Rutschfeste Oberfläche, leicht zu reinigen."),
    "TOYS": ("Geprüft nach EN 71.", "Fördert Feinmotorik und Fantasie.", "Aus nachhaltigen Materialien."),
    "BEAUTY": ("Dermatologisch getestet.", "Ohne Mikroplastik.", "Für alle Hauttypen geeignet."),
    "BOOKS": ("Ein Buch, das man nicht aus der Hand legen möchte.", "Mit vielen Abbildungen.",
              "Die Neuausgabe mit einem Nachwort der Autorin."),
    "FOOD": ("Aus kontrolliert biologischem Anbau.", "Schonend geröstet in Hamburg.",
             "Mindestens haltbar bis: siehe Packung."),
}

REVIEW_TEXTS = {
    5: ("Super, genau wie beschrieben!", "Sehr zufrieden, gerne wieder.", "Tolle Qualität, schnelle Lieferung.",
        "Top!", "Passt perfekt.", ""),
    4: ("Gutes Produkt, kleine Abzüge bei der Verpackung.", "Insgesamt zufrieden.", "Gut, aber etwas teuer.", ""),
    3: ("Ganz okay.", "Erfüllt seinen Zweck.", "Lieferung hat gedauert, Produkt in Ordnung.", ""),
    2: ("Leider nicht wie erwartet.", "Qualität enttäuschend.", "Lieferung viel zu spät."),
    1: ("Defekt angekommen.", "Nie wieder.", "Paket kam eine Woche zu spät, Kundenservice nicht erreichbar."),
}
