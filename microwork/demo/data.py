"""Content for the demo projects: the kind of work the trade really posts."""

INGREDIENT_LABELS = [
    "rice|Rice", "tomato|Tomato", "onion|Onion", "chicken|Chicken", "beef|Beef",
    "flour|Flour", "sugar|Sugar", "egg|Eggs", "butter|Butter", "milk|Milk",
    "palm_oil|Palm oil", "plantain|Plantain", "beans|Beans", "pepper|Chilli pepper",
    "garlic|Garlic", "yeast|Yeast", "fish|Fish", "peanut|Peanuts",
]  # fmt: skip

# (recipe, description, true ingredients among the labels)
RECIPES = [
    ("Jollof rice", "Rice cooked in a spiced tomato, onion and pepper sauce, often served with chicken.", ["rice", "tomato", "onion", "pepper", "chicken"]),
    ("Pancakes", "Batter of flour, eggs and milk fried in butter; served with sugar.", ["flour", "egg", "milk", "butter", "sugar"]),
    ("Dodo (fried plantain)", "Ripe plantain sliced and fried in palm oil.", ["plantain", "palm_oil"]),
    ("Bread", "Flour, yeast, a little sugar and water, kneaded and baked.", ["flour", "yeast", "sugar"]),
    ("Moin moin", "Steamed pudding of blended beans, pepper, onion and palm oil; sometimes with egg and fish.", ["beans", "pepper", "onion", "palm_oil", "egg", "fish"]),
    ("Groundnut stew (maafe)", "Beef or chicken simmered in a peanut, tomato and onion sauce.", ["peanut", "tomato", "onion", "beef", "chicken"]),
    ("Sponge cake", "Eggs and sugar whisked, flour folded in, baked; butter for the tin.", ["egg", "sugar", "flour", "butter"]),
    ("Romazava", "Malagasy beef stew with greens, tomato, onion and garlic.", ["beef", "tomato", "onion", "garlic"]),
    ("Biryani", "Layered rice with spiced chicken, onion, garlic and chilli.", ["rice", "chicken", "onion", "garlic", "pepper"]),
    ("Pepper soup", "Fish or chicken in a hot broth of pepper, onion and spices.", ["fish", "pepper", "onion"]),
    ("Chapati", "Unleavened flatbread of flour, water and oil.", ["flour"]),
    ("Egg fried rice", "Cooked rice stir-fried with egg, onion and garlic.", ["rice", "egg", "onion", "garlic"]),
    ("Bobotie", "South African baked spiced minced beef with an egg and milk topping.", ["beef", "egg", "milk", "onion"]),
    ("Puff-puff", "Deep-fried dough balls of flour, yeast and sugar.", ["flour", "yeast", "sugar"]),
    ("Rice pudding", "Rice simmered slowly in milk with sugar and butter.", ["rice", "milk", "sugar", "butter"]),
    ("Bean and plantain porridge", "Beans cooked soft with plantain, palm oil, onion and pepper.", ["beans", "plantain", "palm_oil", "onion", "pepper"]),
    ("Nihari", "Slow-cooked beef shank stew with onion, garlic and chilli.", ["beef", "onion", "garlic", "pepper"]),
    ("Shortbread", "Butter, sugar and flour rubbed together and baked.", ["butter", "sugar", "flour"]),
    ("Grilled tilapia", "Whole fish grilled with pepper, onion and garlic.", ["fish", "pepper", "onion", "garlic"]),
    ("Chicken suya", "Skewered chicken rubbed with ground peanut and chilli.", ["chicken", "peanut", "pepper"]),
    ("Tomato soup", "Tomatoes and onion simmered and blended, finished with butter and milk.", ["tomato", "onion", "butter", "milk"]),
    ("Koeksisters", "Plaited dough of flour, butter, milk and egg, fried and soaked in sugar syrup.", ["flour", "butter", "milk", "egg", "sugar"]),
    ("Akara", "Fritters of blended beans, onion and pepper, fried in oil.", ["beans", "onion", "pepper"]),
    ("Omelette", "Beaten eggs cooked in butter with onion and tomato.", ["egg", "butter", "onion", "tomato"]),
]  # fmt: skip

RELEVANCE_SCALE = ["Irrelevant", "Somewhat relevant", "Highly relevant", "Perfect answer"]

# (query, result title, result url, snippet, true grade 0–3)
RELEVANCE = [
    ("cheap flights lagos to nairobi", "Lagos (LOS) to Nairobi (NBO) flights from $312", "https://flights.example/los-nbo", "Compare fares on 14 airlines. Prices found in the last 24 hours.", 3),
    ("cheap flights lagos to nairobi", "Nairobi travel guide: things to do", "https://travel.example/nairobi", "Parks, markets and museums in Kenya's capital.", 1),
    ("cheap flights lagos to nairobi", "How to cook jollof rice", "https://food.example/jollof", "A step-by-step recipe for the West African classic.", 0),
    ("how to renew a nigerian passport", "Passport renewal — Nigeria Immigration Service", "https://immigration.example/passport/renew", "Apply online, pay the fee and book a capture appointment.", 3),
    ("how to renew a nigerian passport", "Passport photo requirements worldwide", "https://photos.example/passport", "Size and background rules for 120 countries.", 1),
    ("how to renew a nigerian passport", "Forum: my renewal took 6 weeks", "https://forum.example/t/8812", "Sharing my experience with the Ikoyi office…", 2),
    ("symptoms of malaria", "Malaria — symptoms and causes", "https://health.example/malaria", "Fever, chills, headache, nausea, and muscle pain, usually 10–15 days after the bite.", 3),
    ("symptoms of malaria", "Mosquito nets: which one to buy", "https://shop.example/nets", "Top 10 insecticide-treated nets reviewed.", 1),
    ("symptoms of malaria", "Football results this weekend", "https://sport.example/results", "All the scores from the premier league.", 0),
    ("convert usd to pkr", "USD to PKR exchange rate today", "https://fx.example/usd-pkr", "1 US dollar = 278.4 Pakistani rupees, updated every minute.", 3),
    ("convert usd to pkr", "History of the Pakistani rupee", "https://wiki.example/pkr", "The rupee was decimalised in 1961…", 1),
    ("best phone under 150 dollars", "The best budget phones of 2026 (under $150)", "https://tech.example/budget-phones", "We tested 23 phones for battery, camera and speed.", 3),
    ("best phone under 150 dollars", "Flagship phone review: $1,199 and worth it", "https://tech.example/flagship", "The fastest phone we have tested.", 1),
    ("best phone under 150 dollars", "Phone repair shops near you", "https://maps.example/repair", "Find a repair shop.", 0),
    ("mobile money fees mpesa", "M-Pesa tariffs: sending and withdrawal charges", "https://mpesa.example/tariffs", "Full fee table for transfers and withdrawals.", 3),
    ("mobile money fees mpesa", "What is mobile money?", "https://edu.example/mobile-money", "An introduction to mobile payments in Africa.", 2),
    ("antananarivo weather", "Antananarivo 10-day forecast", "https://weather.example/tnr", "Sunny, 24 °C today; showers expected Thursday.", 3),
    ("antananarivo weather", "Madagascar's climate zones explained", "https://geo.example/madagascar-climate", "From the humid east coast to the dry south-west.", 2),
    ("learn python free", "Python for beginners — free course", "https://learn.example/python", "40 short lessons with exercises, no sign-up.", 3),
    ("learn python free", "Ball python care sheet", "https://pets.example/ball-python", "Feeding, housing and handling your snake.", 0),
    ("learn python free", "Python 3.13 release notes", "https://docs.example/whatsnew/3.13", "New features in this version.", 1),
    ("how to open a bank account in south africa", "Open an account online in 10 minutes", "https://bank.example/za/open", "You need your ID and proof of address.", 3),
    ("how to open a bank account in south africa", "South African rand falls against the dollar", "https://news.example/zar", "Markets reacted to…", 0),
    ("jollof rice recipe", "Party jollof rice — the smoky way", "https://food.example/party-jollof", "Rice, tomatoes, peppers and a pot that sticks a little.", 3),
]  # fmt: skip
