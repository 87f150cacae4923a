// Allure 3 configuration. The "awesome" report does not read categories.json, so the failure
// categories the suite writes there (support/reporting.py) are loaded here: one source of truth.
import { existsSync, readFileSync } from "node:fs";

const categoriesFile = "./allure-results/categories.json";
const categories = existsSync(categoriesFile) ? JSON.parse(readFileSync(categoriesFile, "utf8")) : [];

export default {
  name: "Acceptance suite",
  output: "./allure-report",
  categories,
  plugins: {
    awesome: {
      options: {
        singleFile: true,
        reportLanguage: "en",
      },
    },
  },
};
