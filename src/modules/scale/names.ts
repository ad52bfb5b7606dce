/** Fictional names only: common Flemish first names and surnames combined at random (no real person meant). */
export const FIRST_NAMES = [
  "Lotte", "Emma", "Noor", "Lina", "Julie", "Marie", "Ella", "Fien", "Lore", "Hanne", "Ines", "Amber", "Sara", "Yasmina", "Aya",
  "Lucas", "Noah", "Arthur", "Louis", "Liam", "Jules", "Finn", "Mats", "Vic", "Warre", "Lars", "Seppe", "Milan", "Adam", "Rayan",
  "Wout", "Bram", "Jonas", "Robbe", "Stan", "Kobe", "Nina", "Elise", "Axelle", "Mila",
];
export const LAST_NAMES = [
  "Peeters", "Janssens", "Maes", "Jacobs", "Mertens", "Willems", "Claes", "Goossens", "Wouters", "De Smet", "Dubois", "Hermans",
  "Aerts", "Van Damme", "Michiels", "Pauwels", "De Vos", "Vermeulen", "Smets", "Verstraete", "Desmet", "Coppens", "Martens",
  "Van den Broeck", "Lambrechts", "El Amrani", "Yilmaz", "Nowak", "Diallo", "Bogaert",
];
export const STREETS = ["Kerkstraat", "Stationsstraat", "Dorpsstraat", "Molenstraat", "Schoolstraat", "Nieuwstraat", "Kapelstraat", "Beekstraat"];
export const OBSERVATIONS = [
  "Trekt op met een oudere groep en verzuimt op school; ouders maken zich zorgen over contacten online.",
  "Deelt extremistische beelden in een klasgroep en sluit zich af van vroegere vrienden.",
  "Spreekt over geweld tegen een groep in de buurt; eerdere hulpverlening liep vast.",
  "Plotse breuk met familie en vrienden, veel tijd op gesloten fora.",
  "Herhaalde conflicten in de jeugdwerking en uitspraken die collega's verontrusten.",
];
export const REASONS = [
  "Meerdere signalen bij verschillende diensten; afstemming in casusoverleg nodig.",
  "Betrokkene en ouders zijn bereikbaar; partners willen samen een plan opstellen.",
  "Reguliere hulpverlening volstaat niet alleen; overleg gewenst.",
];
export const ACTIONS = [
  "Huisbezoek door de preventiewerker en gesprek met de ouders.",
  "Traject bij het CAW opstarten en opvolgen.",
  "CLB bespreekt schoolverzuim met de school.",
  "Straathoekwerker legt contact in de buurt.",
  "Doorverwijzing naar het CGG voor begeleiding.",
];
export const DECISIONS = ["Plan goedgekeurd; opvolging in het volgende overleg.", "Geen nieuwe zorgen; actie loopt verder.", "Partner neemt het voortouw."];
