// Strings in English and Arabic, the current language, and locale-aware number, price and time formatting.
const strings = {
  en: {
    appName: "Sufra", otherLanguage: "العربية", loginIntro: "Sign in to run today's orders.",
    restaurantId: "Restaurant ID", email: "Email", password: "Password", signIn: "Sign in", signingIn: "Signing in…",
    loginFailed: "Wrong email or password.", loginLocked: "Too many attempts. Try again in {0} minutes.",
    sessionExpired: "Your session has ended. Please sign in again.", networkError: "Cannot reach the server.",
    logout: "Log out", tabBoard: "Orders", tabInbox: "Inbox", tabMenu: "Menu", tabToday: "Today",
    live: "Live", offline: "Offline — reconnecting", connecting: "Connecting…",
    dashboardsFull: "Too many dashboards open — retrying soon", mute: "Mute new-order sound",
    unmute: "Turn new-order sound on", filterAll: "All", delivery: "Delivery", pickup: "Pickup",
    CONFIRMED: "New", PREPARING: "Preparing", OUT_FOR_DELIVERY: "Out for delivery", DELIVERED: "Delivered",
    RATED: "Rated", CANCELLED: "Cancelled",
    move_PREPARING: "Start preparing", move_OUT_FOR_DELIVERY: "Out for delivery", move_DELIVERED: "Delivered",
    move_DELIVERED_pickup: "Handed over", move_CANCELLED: "Cancel", confirmCancel: "Cancel order #{0}?",
    emptyColumn: "Nothing here", orderNumber: "#{0}", location: "Location", map: "Map",
    items: "{0} items", ago: "{0} ago", justNow: "just now", rating: "Rating",
    searchPlaceholder: "Search by number or name", loadMore: "Load more", pickConversation: "Pick a conversation",
    takeOver: "Take over", giveBack: "Give back to the bot", modeBot: "Bot answers", modeHuman: "Staff answer",
    needsHuman: "Wants a person", olderMessages: "Older messages", replyPlaceholder: "Write a reply…",
    send: "Send", template: "Template {0}", replyFailed: "The reply was not sent: {0}", unread: "{0} unread",
    menuHint: "Sold-out items disappear from the bot's menu at once.", available: "Available",
    soldOut: "Sold out", price: "Price", total: "Total", edit: "Edit", save: "Save", cancelEdit: "Cancel", ordersToday: "Orders today", revenue: "Revenue",
    averageRating: "Average rating", medianResponse: "Median bot reply", ordersByHour: "Orders by hour",
    noRating: "—", seconds: "{0} s", moveFailed: "Could not move the order: {0}", newOrder: "New order #{0}",
    status_queued: "queued", status_sending: "sending", status_sent: "sent", status_delivered: "delivered",
    status_read: "read", status_failed: "failed", status_undelivered: "undelivered", status_received: "",
  },
  ar: {
    appName: "سفرة", otherLanguage: "English", loginIntro: "سجّل الدخول لإدارة طلبات اليوم.",
    restaurantId: "رقم المطعم", email: "البريد الإلكتروني", password: "كلمة المرور", signIn: "دخول",
    signingIn: "جارٍ الدخول…", loginFailed: "البريد الإلكتروني أو كلمة المرور غير صحيحة.",
    loginLocked: "محاولات كثيرة. حاول بعد {0} دقيقة.", sessionExpired: "انتهت الجلسة. سجّل الدخول من جديد.",
    networkError: "تعذّر الوصول إلى الخادم.", logout: "خروج", tabBoard: "الطلبات", tabInbox: "المحادثات",
    tabMenu: "القائمة", tabToday: "اليوم", live: "متصل", offline: "غير متصل — إعادة المحاولة",
    dashboardsFull: "لوحات كثيرة مفتوحة — إعادة المحاولة بعد قليل",
    connecting: "جارٍ الاتصال…", mute: "كتم صوت الطلبات الجديدة", unmute: "تشغيل صوت الطلبات الجديدة",
    filterAll: "الكل", delivery: "توصيل", pickup: "استلام",
    CONFIRMED: "جديد", PREPARING: "قيد التحضير", OUT_FOR_DELIVERY: "في الطريق", DELIVERED: "تم التسليم",
    RATED: "تم التقييم", CANCELLED: "ملغي",
    move_PREPARING: "ابدأ التحضير", move_OUT_FOR_DELIVERY: "خرج للتوصيل", move_DELIVERED: "تم التوصيل",
    move_DELIVERED_pickup: "تم التسليم", move_CANCELLED: "إلغاء", confirmCancel: "إلغاء الطلب #{0}؟",
    emptyColumn: "لا شيء هنا", orderNumber: "#{0}", location: "الموقع", map: "الخريطة",
    items: "{0} أصناف", ago: "منذ {0}", justNow: "الآن", rating: "التقييم",
    searchPlaceholder: "ابحث بالرقم أو الاسم", loadMore: "المزيد", pickConversation: "اختر محادثة",
    takeOver: "استلم المحادثة", giveBack: "أعدها إلى البوت", modeBot: "البوت يرد", modeHuman: "الموظفون يردون",
    needsHuman: "يطلب موظفًا", olderMessages: "رسائل أقدم", replyPlaceholder: "اكتب ردًا…", send: "إرسال",
    template: "قالب {0}", replyFailed: "لم يُرسل الرد: {0}", unread: "{0} غير مقروءة",
    menuHint: "الأصناف النافدة تختفي من قائمة البوت فورًا.", available: "متوفر", soldOut: "نفد",
    price: "السعر", total: "المجموع", edit: "تعديل", save: "حفظ", cancelEdit: "إلغاء", ordersToday: "طلبات اليوم", revenue: "الإيرادات", averageRating: "متوسط التقييم",
    medianResponse: "متوسط زمن رد البوت", ordersByHour: "الطلبات حسب الساعة", noRating: "—", seconds: "{0} ث",
    moveFailed: "تعذّر نقل الطلب: {0}", newOrder: "طلب جديد #{0}",
    status_queued: "في الانتظار", status_sending: "يُرسل", status_sent: "أُرسلت", status_delivered: "وصلت",
    status_read: "قُرئت", status_failed: "فشلت", status_undelivered: "لم تصل", status_received: "",
  },
};

let language = localStorage.getItem("sufra.language") === "ar" ? "ar" : "en";
const listeners = new Set();

/** The current language, "en" or "ar". */
export const currentLanguage = () => language;

/** The string `key` in the current language with `{0}`, `{1}`… replaced by `args`. */
export function t(key, ...args) {
  const text = strings[language][key] ?? strings.en[key] ?? key;
  return text.replace(/\{(\d)\}/g, (_, index) => String(args[Number(index)] ?? ""));
}

/** Switches the language: `lang` and `dir` on the document, static labels, and every listener re-renders. */
export function setLanguage(next) {
  language = next === "ar" ? "ar" : "en";
  localStorage.setItem("sufra.language", language);
  applyStaticStrings();
  for (const listener of listeners) listener(language);
}

/** Calls `listener` after every language switch. */
export const onLanguageChange = (listener) => listeners.add(listener);

/** Fills elements marked `data-i18n` (text) and `data-i18n-placeholder`, and sets `lang`/`dir`. */
export function applyStaticStrings() {
  document.documentElement.lang = language;
  document.documentElement.dir = language === "ar" ? "rtl" : "ltr";
  document.title = t("appName");
  for (const element of document.querySelectorAll("[data-i18n]")) element.textContent = t(element.dataset.i18n);
  for (const element of document.querySelectorAll("[data-i18n-placeholder]")) {
    element.placeholder = t(element.dataset.i18nPlaceholder);
  }
}

const locale = () => (language === "ar" ? "ar" : "en");

/** An integer in the current locale (Arabic-Indic digits in Arabic). */
export const formatNumber = (value) => new Intl.NumberFormat(locale()).format(value);

/** A price in minor units as a decimal amount in the current locale. */
export const formatPrice = (minor) =>
  new Intl.NumberFormat(locale(), { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(minor / 100);

/** A clock time, e.g. "14:05". */
export const formatTime = (iso) =>
  new Intl.DateTimeFormat(locale(), { hour: "2-digit", minute: "2-digit" }).format(new Date(iso));

/** A day, for the separators in a chat. */
export const formatDay = (iso) =>
  new Intl.DateTimeFormat(locale(), { weekday: "long", day: "numeric", month: "long" }).format(new Date(iso));

/** How long ago `iso` was, e.g. "12 min" / "١٢ دقيقة". */
export function formatAge(iso, now = Date.now()) {
  const seconds = Math.max(0, Math.round((now - new Date(iso).getTime()) / 1000));
  if (seconds < 45) return t("justNow");
  const minutes = Math.round(seconds / 60);
  const unit = minutes < 60 ? { value: minutes, unit: "minute" } : { value: Math.floor(minutes / 60), unit: "hour" };
  const text = new Intl.NumberFormat(locale(), { style: "unit", unit: unit.unit, unitDisplay: "short" })
    .format(unit.value);
  return t("ago", text);
}
