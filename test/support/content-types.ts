/**
 * Content-Types whose parameters RFC 9110 does not allow: a list after a parameter, a name missing
 * or given twice (in any case), a value that is no token or quoted string. Fastify read each as
 * application/json; a proxy reading the list's last type, or the last charset, reads another body.
 */
export const PARAMETERS_NOT_RFC_9110 = [
  'application/json;charset=utf-8, text/plain',
  'application/json;charset=utf-8,application/xml',
  'application/json;x=1, application/x-www-form-urlencoded',
  'application/json;=x',
  'application/json;a=b c',
  'application/json; charset=utf-8; charset=latin1',
  'application/json; charset=utf-8; CHARSET=utf-8',
  'application/json; charset',
  'application/json; charset = utf-8',
  'application/json; charset="utf-8',
  'application/json; x="a" b',
];

/** One media type with parameters: names in any case, whitespace around ";", quoted values holding "," and ";", an empty parameter (RFC 9110 §5.6.6). */
export const ONE_MEDIA_TYPE_WITH_PARAMETERS = [
  'application/json; charset=utf-8',
  'Application/JSON;Charset=UTF-8',
  'application/json ; charset="utf-8"',
  'application/json;charset=utf-8;x="a, b; \\"c\\""',
  'application/json;',
];
