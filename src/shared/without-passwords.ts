/**
 * Text to log with each URL's password written `***` (`smtp://mailer:***@host`): a start-up fault
 * names the value that is wrong, and a log travels further (an aggregator, a ticket) than the
 * environment it came from. Up to the last `@` of the word: a password may hold one unencoded.
 */
export const withoutPasswords = (text: string): string => text.replace(/(\/\/[^\s/@:"]*:)[^\s"]*@/g, '$1***@');
