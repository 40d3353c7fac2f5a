// Generated from openapi.generated.json by npm run openapi:types (ajv standalone code): do not edit.
"use strict";
exports["openapi.json#/components/schemas/OrganizationCreatedView"] = validate1;
const schema1 = {"type":"object","properties":{"orgId":{"type":"string","example":"org_01J9Z3"},"position":{"type":"string","description":"Log position (decimal)","example":"1"}},"required":["orgId","position"]};

function validate1(data, {instancePath="", parentData, parentDataProperty, rootData=data}={}){
let vErrors = null;
let errors = 0;
if(errors === 0){
if(data && typeof data == "object" && !Array.isArray(data)){
let missing0;
if(((data.orgId === undefined) && (missing0 = "orgId")) || ((data.position === undefined) && (missing0 = "position"))){
validate1.errors = [{instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: missing0},message:"must have required property '"+missing0+"'"}];
return false;
}
else {
if(data.orgId !== undefined){
const _errs1 = errors;
if(typeof data.orgId !== "string"){
validate1.errors = [{instancePath:instancePath+"/orgId",schemaPath:"#/properties/orgId/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
var valid0 = _errs1 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.position !== undefined){
const _errs3 = errors;
if(typeof data.position !== "string"){
validate1.errors = [{instancePath:instancePath+"/position",schemaPath:"#/properties/position/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
var valid0 = _errs3 === errors;
}
else {
var valid0 = true;
}
}
}
}
else {
validate1.errors = [{instancePath,schemaPath:"#/type",keyword:"type",params:{type: "object"},message:"must be object"}];
return false;
}
}
validate1.errors = vErrors;
return errors === 0;
}

exports["openapi.json#/components/schemas/Problem"] = validate2;
const schema2 = {"type":"object","properties":{"type":{"type":"string","example":"urn:ztkeys:problem:invalid-input"},"title":{"type":"string","example":"Bad Request"},"status":{"type":"number","example":400},"detail":{"type":"string","example":"The request is invalid."},"code":{"type":"string","description":"Stable machine-readable code","example":"INVALID_INPUT"},"errors":{"description":"Field by field, for invalid input","type":"array","items":{"$ref":"#/components/schemas/FieldProblems"}},"position":{"type":"string","description":"Log position of an audited refusal","example":"42"}},"required":["type","title","status","detail","code"],"additionalProperties":true};
const schema3 = {"type":"object","properties":{"field":{"type":"string","example":"superAdmin.email"},"problems":{"example":["email must be an email"],"type":"array","items":{"type":"string"}}},"required":["field","problems"]};

function validate2(data, {instancePath="", parentData, parentDataProperty, rootData=data}={}){
let vErrors = null;
let errors = 0;
if(errors === 0){
if(data && typeof data == "object" && !Array.isArray(data)){
let missing0;
if((((((data.type === undefined) && (missing0 = "type")) || ((data.title === undefined) && (missing0 = "title"))) || ((data.status === undefined) && (missing0 = "status"))) || ((data.detail === undefined) && (missing0 = "detail"))) || ((data.code === undefined) && (missing0 = "code"))){
validate2.errors = [{instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: missing0},message:"must have required property '"+missing0+"'"}];
return false;
}
else {
if(data.type !== undefined){
const _errs2 = errors;
if(typeof data.type !== "string"){
validate2.errors = [{instancePath:instancePath+"/type",schemaPath:"#/properties/type/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
var valid0 = _errs2 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.title !== undefined){
const _errs4 = errors;
if(typeof data.title !== "string"){
validate2.errors = [{instancePath:instancePath+"/title",schemaPath:"#/properties/title/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
var valid0 = _errs4 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.status !== undefined){
const _errs6 = errors;
if(!(typeof data.status == "number")){
validate2.errors = [{instancePath:instancePath+"/status",schemaPath:"#/properties/status/type",keyword:"type",params:{type: "number"},message:"must be number"}];
return false;
}
var valid0 = _errs6 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.detail !== undefined){
const _errs8 = errors;
if(typeof data.detail !== "string"){
validate2.errors = [{instancePath:instancePath+"/detail",schemaPath:"#/properties/detail/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
var valid0 = _errs8 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.code !== undefined){
const _errs10 = errors;
if(typeof data.code !== "string"){
validate2.errors = [{instancePath:instancePath+"/code",schemaPath:"#/properties/code/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
var valid0 = _errs10 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.errors !== undefined){
let data5 = data.errors;
const _errs12 = errors;
if(errors === _errs12){
if(Array.isArray(data5)){
var valid1 = true;
const len0 = data5.length;
for(let i0=0; i0<len0; i0++){
let data6 = data5[i0];
const _errs14 = errors;
const _errs15 = errors;
if(errors === _errs15){
if(data6 && typeof data6 == "object" && !Array.isArray(data6)){
let missing1;
if(((data6.field === undefined) && (missing1 = "field")) || ((data6.problems === undefined) && (missing1 = "problems"))){
validate2.errors = [{instancePath:instancePath+"/errors/" + i0,schemaPath:"#/components/schemas/FieldProblems/required",keyword:"required",params:{missingProperty: missing1},message:"must have required property '"+missing1+"'"}];
return false;
}
else {
if(data6.field !== undefined){
const _errs17 = errors;
if(typeof data6.field !== "string"){
validate2.errors = [{instancePath:instancePath+"/errors/" + i0+"/field",schemaPath:"#/components/schemas/FieldProblems/properties/field/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
var valid3 = _errs17 === errors;
}
else {
var valid3 = true;
}
if(valid3){
if(data6.problems !== undefined){
let data8 = data6.problems;
const _errs19 = errors;
if(errors === _errs19){
if(Array.isArray(data8)){
var valid4 = true;
const len1 = data8.length;
for(let i1=0; i1<len1; i1++){
const _errs21 = errors;
if(typeof data8[i1] !== "string"){
validate2.errors = [{instancePath:instancePath+"/errors/" + i0+"/problems/" + i1,schemaPath:"#/components/schemas/FieldProblems/properties/problems/items/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
var valid4 = _errs21 === errors;
if(!valid4){
break;
}
}
}
else {
validate2.errors = [{instancePath:instancePath+"/errors/" + i0+"/problems",schemaPath:"#/components/schemas/FieldProblems/properties/problems/type",keyword:"type",params:{type: "array"},message:"must be array"}];
return false;
}
}
var valid3 = _errs19 === errors;
}
else {
var valid3 = true;
}
}
}
}
else {
validate2.errors = [{instancePath:instancePath+"/errors/" + i0,schemaPath:"#/components/schemas/FieldProblems/type",keyword:"type",params:{type: "object"},message:"must be object"}];
return false;
}
}
var valid1 = _errs14 === errors;
if(!valid1){
break;
}
}
}
else {
validate2.errors = [{instancePath:instancePath+"/errors",schemaPath:"#/properties/errors/type",keyword:"type",params:{type: "array"},message:"must be array"}];
return false;
}
}
var valid0 = _errs12 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.position !== undefined){
const _errs23 = errors;
if(typeof data.position !== "string"){
validate2.errors = [{instancePath:instancePath+"/position",schemaPath:"#/properties/position/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
var valid0 = _errs23 === errors;
}
else {
var valid0 = true;
}
}
}
}
}
}
}
}
}
else {
validate2.errors = [{instancePath,schemaPath:"#/type",keyword:"type",params:{type: "object"},message:"must be object"}];
return false;
}
}
validate2.errors = vErrors;
return errors === 0;
}

exports["openapi.json#/components/schemas/RateLimitedProblem"] = validate3;
const schema4 = {"type":"object","properties":{"type":{"type":"string","example":"urn:ztkeys:problem:invalid-input"},"title":{"type":"string","example":"Bad Request"},"status":{"type":"number","example":400},"detail":{"type":"string","example":"The request is invalid."},"code":{"type":"string","description":"Stable machine-readable code","example":"INVALID_INPUT"},"errors":{"description":"Field by field, for invalid input","type":"array","items":{"$ref":"#/components/schemas/FieldProblems"}},"position":{"type":"string","description":"Log position of an audited refusal","example":"42"},"limit":{"type":"string","description":"The limit that refused (RATE_LIMIT_<NAME> in lower case)","example":"challenges_per_agent"},"retryAfter":{"type":"number","description":"Seconds until the limit frees a request, as in Retry-After","example":12}},"required":["type","title","status","detail","code","limit","retryAfter"],"additionalProperties":true};

function validate3(data, {instancePath="", parentData, parentDataProperty, rootData=data}={}){
let vErrors = null;
let errors = 0;
if(errors === 0){
if(data && typeof data == "object" && !Array.isArray(data)){
let missing0;
if((((((((data.type === undefined) && (missing0 = "type")) || ((data.title === undefined) && (missing0 = "title"))) || ((data.status === undefined) && (missing0 = "status"))) || ((data.detail === undefined) && (missing0 = "detail"))) || ((data.code === undefined) && (missing0 = "code"))) || ((data.limit === undefined) && (missing0 = "limit"))) || ((data.retryAfter === undefined) && (missing0 = "retryAfter"))){
validate3.errors = [{instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: missing0},message:"must have required property '"+missing0+"'"}];
return false;
}
else {
if(data.type !== undefined){
const _errs2 = errors;
if(typeof data.type !== "string"){
validate3.errors = [{instancePath:instancePath+"/type",schemaPath:"#/properties/type/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
var valid0 = _errs2 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.title !== undefined){
const _errs4 = errors;
if(typeof data.title !== "string"){
validate3.errors = [{instancePath:instancePath+"/title",schemaPath:"#/properties/title/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
var valid0 = _errs4 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.status !== undefined){
const _errs6 = errors;
if(!(typeof data.status == "number")){
validate3.errors = [{instancePath:instancePath+"/status",schemaPath:"#/properties/status/type",keyword:"type",params:{type: "number"},message:"must be number"}];
return false;
}
var valid0 = _errs6 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.detail !== undefined){
const _errs8 = errors;
if(typeof data.detail !== "string"){
validate3.errors = [{instancePath:instancePath+"/detail",schemaPath:"#/properties/detail/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
var valid0 = _errs8 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.code !== undefined){
const _errs10 = errors;
if(typeof data.code !== "string"){
validate3.errors = [{instancePath:instancePath+"/code",schemaPath:"#/properties/code/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
var valid0 = _errs10 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.errors !== undefined){
let data5 = data.errors;
const _errs12 = errors;
if(errors === _errs12){
if(Array.isArray(data5)){
var valid1 = true;
const len0 = data5.length;
for(let i0=0; i0<len0; i0++){
let data6 = data5[i0];
const _errs14 = errors;
const _errs15 = errors;
if(errors === _errs15){
if(data6 && typeof data6 == "object" && !Array.isArray(data6)){
let missing1;
if(((data6.field === undefined) && (missing1 = "field")) || ((data6.problems === undefined) && (missing1 = "problems"))){
validate3.errors = [{instancePath:instancePath+"/errors/" + i0,schemaPath:"#/components/schemas/FieldProblems/required",keyword:"required",params:{missingProperty: missing1},message:"must have required property '"+missing1+"'"}];
return false;
}
else {
if(data6.field !== undefined){
const _errs17 = errors;
if(typeof data6.field !== "string"){
validate3.errors = [{instancePath:instancePath+"/errors/" + i0+"/field",schemaPath:"#/components/schemas/FieldProblems/properties/field/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
var valid3 = _errs17 === errors;
}
else {
var valid3 = true;
}
if(valid3){
if(data6.problems !== undefined){
let data8 = data6.problems;
const _errs19 = errors;
if(errors === _errs19){
if(Array.isArray(data8)){
var valid4 = true;
const len1 = data8.length;
for(let i1=0; i1<len1; i1++){
const _errs21 = errors;
if(typeof data8[i1] !== "string"){
validate3.errors = [{instancePath:instancePath+"/errors/" + i0+"/problems/" + i1,schemaPath:"#/components/schemas/FieldProblems/properties/problems/items/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
var valid4 = _errs21 === errors;
if(!valid4){
break;
}
}
}
else {
validate3.errors = [{instancePath:instancePath+"/errors/" + i0+"/problems",schemaPath:"#/components/schemas/FieldProblems/properties/problems/type",keyword:"type",params:{type: "array"},message:"must be array"}];
return false;
}
}
var valid3 = _errs19 === errors;
}
else {
var valid3 = true;
}
}
}
}
else {
validate3.errors = [{instancePath:instancePath+"/errors/" + i0,schemaPath:"#/components/schemas/FieldProblems/type",keyword:"type",params:{type: "object"},message:"must be object"}];
return false;
}
}
var valid1 = _errs14 === errors;
if(!valid1){
break;
}
}
}
else {
validate3.errors = [{instancePath:instancePath+"/errors",schemaPath:"#/properties/errors/type",keyword:"type",params:{type: "array"},message:"must be array"}];
return false;
}
}
var valid0 = _errs12 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.position !== undefined){
const _errs23 = errors;
if(typeof data.position !== "string"){
validate3.errors = [{instancePath:instancePath+"/position",schemaPath:"#/properties/position/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
var valid0 = _errs23 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.limit !== undefined){
const _errs25 = errors;
if(typeof data.limit !== "string"){
validate3.errors = [{instancePath:instancePath+"/limit",schemaPath:"#/properties/limit/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
var valid0 = _errs25 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.retryAfter !== undefined){
const _errs27 = errors;
if(!(typeof data.retryAfter == "number")){
validate3.errors = [{instancePath:instancePath+"/retryAfter",schemaPath:"#/properties/retryAfter/type",keyword:"type",params:{type: "number"},message:"must be number"}];
return false;
}
var valid0 = _errs27 === errors;
}
else {
var valid0 = true;
}
}
}
}
}
}
}
}
}
}
}
else {
validate3.errors = [{instancePath,schemaPath:"#/type",keyword:"type",params:{type: "object"},message:"must be object"}];
return false;
}
}
validate3.errors = vErrors;
return errors === 0;
}

exports["openapi.json#/components/schemas/OrganizationView"] = validate4;
const schema6 = {"type":"object","properties":{"orgId":{"type":"string","example":"org_01J9Z3"},"name":{"type":"string","example":"Acme"},"policy":{"$ref":"#/components/schemas/OrgPolicyView"},"agents":{"type":"number","description":"Number of agents","example":3},"firstKeyAssigned":{"type":"boolean","description":"R4: the first key of the org was approved"}},"required":["orgId","name","policy","agents","firstKeyAssigned"]};
const schema7 = {"type":"object","properties":{"firstKeyRequiresAdmin":{"type":"boolean","description":"R4: the first key of the org, granted without approval, must go to an ADMIN or SUPER_ADMIN"},"memberKeyApprovals":{"type":"integer","description":"R20 M-of-N: distinct approvers whose signed approvals activate a MEMBER's key (approvers, 1-10)","minimum":1,"maximum":10},"adminKeyApprovals":{"type":"integer","description":"R20 M-of-N: distinct approvers whose signed approvals activate an ADMIN's or SUPER_ADMIN's key (approvers, 1-10)","minimum":1,"maximum":10},"recoveryDelayHours":{"type":"integer","description":"how long an operator break-glass recovery waits, vetoable, before it takes effect (hours, 24-720)","minimum":24,"maximum":720},"pendingRequestExpiryHours":{"type":"integer","description":"how long a key request stays PENDING before it expires (hours, 1-2160)","minimum":1,"maximum":2160},"reminderAfterHours":{"type":"integer","description":"how long a key request waits before its approvers are reminded (less than the expiry) (hours, 1-720)","minimum":1,"maximum":720}},"required":["firstKeyRequiresAdmin","memberKeyApprovals","adminKeyApprovals","recoveryDelayHours","pendingRequestExpiryHours","reminderAfterHours"]};

function validate4(data, {instancePath="", parentData, parentDataProperty, rootData=data}={}){
let vErrors = null;
let errors = 0;
if(errors === 0){
if(data && typeof data == "object" && !Array.isArray(data)){
let missing0;
if((((((data.orgId === undefined) && (missing0 = "orgId")) || ((data.name === undefined) && (missing0 = "name"))) || ((data.policy === undefined) && (missing0 = "policy"))) || ((data.agents === undefined) && (missing0 = "agents"))) || ((data.firstKeyAssigned === undefined) && (missing0 = "firstKeyAssigned"))){
validate4.errors = [{instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: missing0},message:"must have required property '"+missing0+"'"}];
return false;
}
else {
if(data.orgId !== undefined){
const _errs1 = errors;
if(typeof data.orgId !== "string"){
validate4.errors = [{instancePath:instancePath+"/orgId",schemaPath:"#/properties/orgId/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
var valid0 = _errs1 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.name !== undefined){
const _errs3 = errors;
if(typeof data.name !== "string"){
validate4.errors = [{instancePath:instancePath+"/name",schemaPath:"#/properties/name/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
var valid0 = _errs3 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.policy !== undefined){
let data2 = data.policy;
const _errs5 = errors;
const _errs6 = errors;
if(errors === _errs6){
if(data2 && typeof data2 == "object" && !Array.isArray(data2)){
let missing1;
if(((((((data2.firstKeyRequiresAdmin === undefined) && (missing1 = "firstKeyRequiresAdmin")) || ((data2.memberKeyApprovals === undefined) && (missing1 = "memberKeyApprovals"))) || ((data2.adminKeyApprovals === undefined) && (missing1 = "adminKeyApprovals"))) || ((data2.recoveryDelayHours === undefined) && (missing1 = "recoveryDelayHours"))) || ((data2.pendingRequestExpiryHours === undefined) && (missing1 = "pendingRequestExpiryHours"))) || ((data2.reminderAfterHours === undefined) && (missing1 = "reminderAfterHours"))){
validate4.errors = [{instancePath:instancePath+"/policy",schemaPath:"#/components/schemas/OrgPolicyView/required",keyword:"required",params:{missingProperty: missing1},message:"must have required property '"+missing1+"'"}];
return false;
}
else {
if(data2.firstKeyRequiresAdmin !== undefined){
const _errs8 = errors;
if(typeof data2.firstKeyRequiresAdmin !== "boolean"){
validate4.errors = [{instancePath:instancePath+"/policy/firstKeyRequiresAdmin",schemaPath:"#/components/schemas/OrgPolicyView/properties/firstKeyRequiresAdmin/type",keyword:"type",params:{type: "boolean"},message:"must be boolean"}];
return false;
}
var valid2 = _errs8 === errors;
}
else {
var valid2 = true;
}
if(valid2){
if(data2.memberKeyApprovals !== undefined){
let data4 = data2.memberKeyApprovals;
const _errs10 = errors;
if(!((typeof data4 == "number") && (!(data4 % 1) && !isNaN(data4)))){
validate4.errors = [{instancePath:instancePath+"/policy/memberKeyApprovals",schemaPath:"#/components/schemas/OrgPolicyView/properties/memberKeyApprovals/type",keyword:"type",params:{type: "integer"},message:"must be integer"}];
return false;
}
if(errors === _errs10){
if(typeof data4 == "number"){
if(data4 > 10 || isNaN(data4)){
validate4.errors = [{instancePath:instancePath+"/policy/memberKeyApprovals",schemaPath:"#/components/schemas/OrgPolicyView/properties/memberKeyApprovals/maximum",keyword:"maximum",params:{comparison: "<=", limit: 10},message:"must be <= 10"}];
return false;
}
else {
if(data4 < 1 || isNaN(data4)){
validate4.errors = [{instancePath:instancePath+"/policy/memberKeyApprovals",schemaPath:"#/components/schemas/OrgPolicyView/properties/memberKeyApprovals/minimum",keyword:"minimum",params:{comparison: ">=", limit: 1},message:"must be >= 1"}];
return false;
}
}
}
}
var valid2 = _errs10 === errors;
}
else {
var valid2 = true;
}
if(valid2){
if(data2.adminKeyApprovals !== undefined){
let data5 = data2.adminKeyApprovals;
const _errs12 = errors;
if(!((typeof data5 == "number") && (!(data5 % 1) && !isNaN(data5)))){
validate4.errors = [{instancePath:instancePath+"/policy/adminKeyApprovals",schemaPath:"#/components/schemas/OrgPolicyView/properties/adminKeyApprovals/type",keyword:"type",params:{type: "integer"},message:"must be integer"}];
return false;
}
if(errors === _errs12){
if(typeof data5 == "number"){
if(data5 > 10 || isNaN(data5)){
validate4.errors = [{instancePath:instancePath+"/policy/adminKeyApprovals",schemaPath:"#/components/schemas/OrgPolicyView/properties/adminKeyApprovals/maximum",keyword:"maximum",params:{comparison: "<=", limit: 10},message:"must be <= 10"}];
return false;
}
else {
if(data5 < 1 || isNaN(data5)){
validate4.errors = [{instancePath:instancePath+"/policy/adminKeyApprovals",schemaPath:"#/components/schemas/OrgPolicyView/properties/adminKeyApprovals/minimum",keyword:"minimum",params:{comparison: ">=", limit: 1},message:"must be >= 1"}];
return false;
}
}
}
}
var valid2 = _errs12 === errors;
}
else {
var valid2 = true;
}
if(valid2){
if(data2.recoveryDelayHours !== undefined){
let data6 = data2.recoveryDelayHours;
const _errs14 = errors;
if(!((typeof data6 == "number") && (!(data6 % 1) && !isNaN(data6)))){
validate4.errors = [{instancePath:instancePath+"/policy/recoveryDelayHours",schemaPath:"#/components/schemas/OrgPolicyView/properties/recoveryDelayHours/type",keyword:"type",params:{type: "integer"},message:"must be integer"}];
return false;
}
if(errors === _errs14){
if(typeof data6 == "number"){
if(data6 > 720 || isNaN(data6)){
validate4.errors = [{instancePath:instancePath+"/policy/recoveryDelayHours",schemaPath:"#/components/schemas/OrgPolicyView/properties/recoveryDelayHours/maximum",keyword:"maximum",params:{comparison: "<=", limit: 720},message:"must be <= 720"}];
return false;
}
else {
if(data6 < 24 || isNaN(data6)){
validate4.errors = [{instancePath:instancePath+"/policy/recoveryDelayHours",schemaPath:"#/components/schemas/OrgPolicyView/properties/recoveryDelayHours/minimum",keyword:"minimum",params:{comparison: ">=", limit: 24},message:"must be >= 24"}];
return false;
}
}
}
}
var valid2 = _errs14 === errors;
}
else {
var valid2 = true;
}
if(valid2){
if(data2.pendingRequestExpiryHours !== undefined){
let data7 = data2.pendingRequestExpiryHours;
const _errs16 = errors;
if(!((typeof data7 == "number") && (!(data7 % 1) && !isNaN(data7)))){
validate4.errors = [{instancePath:instancePath+"/policy/pendingRequestExpiryHours",schemaPath:"#/components/schemas/OrgPolicyView/properties/pendingRequestExpiryHours/type",keyword:"type",params:{type: "integer"},message:"must be integer"}];
return false;
}
if(errors === _errs16){
if(typeof data7 == "number"){
if(data7 > 2160 || isNaN(data7)){
validate4.errors = [{instancePath:instancePath+"/policy/pendingRequestExpiryHours",schemaPath:"#/components/schemas/OrgPolicyView/properties/pendingRequestExpiryHours/maximum",keyword:"maximum",params:{comparison: "<=", limit: 2160},message:"must be <= 2160"}];
return false;
}
else {
if(data7 < 1 || isNaN(data7)){
validate4.errors = [{instancePath:instancePath+"/policy/pendingRequestExpiryHours",schemaPath:"#/components/schemas/OrgPolicyView/properties/pendingRequestExpiryHours/minimum",keyword:"minimum",params:{comparison: ">=", limit: 1},message:"must be >= 1"}];
return false;
}
}
}
}
var valid2 = _errs16 === errors;
}
else {
var valid2 = true;
}
if(valid2){
if(data2.reminderAfterHours !== undefined){
let data8 = data2.reminderAfterHours;
const _errs18 = errors;
if(!((typeof data8 == "number") && (!(data8 % 1) && !isNaN(data8)))){
validate4.errors = [{instancePath:instancePath+"/policy/reminderAfterHours",schemaPath:"#/components/schemas/OrgPolicyView/properties/reminderAfterHours/type",keyword:"type",params:{type: "integer"},message:"must be integer"}];
return false;
}
if(errors === _errs18){
if(typeof data8 == "number"){
if(data8 > 720 || isNaN(data8)){
validate4.errors = [{instancePath:instancePath+"/policy/reminderAfterHours",schemaPath:"#/components/schemas/OrgPolicyView/properties/reminderAfterHours/maximum",keyword:"maximum",params:{comparison: "<=", limit: 720},message:"must be <= 720"}];
return false;
}
else {
if(data8 < 1 || isNaN(data8)){
validate4.errors = [{instancePath:instancePath+"/policy/reminderAfterHours",schemaPath:"#/components/schemas/OrgPolicyView/properties/reminderAfterHours/minimum",keyword:"minimum",params:{comparison: ">=", limit: 1},message:"must be >= 1"}];
return false;
}
}
}
}
var valid2 = _errs18 === errors;
}
else {
var valid2 = true;
}
}
}
}
}
}
}
}
else {
validate4.errors = [{instancePath:instancePath+"/policy",schemaPath:"#/components/schemas/OrgPolicyView/type",keyword:"type",params:{type: "object"},message:"must be object"}];
return false;
}
}
var valid0 = _errs5 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.agents !== undefined){
const _errs20 = errors;
if(!(typeof data.agents == "number")){
validate4.errors = [{instancePath:instancePath+"/agents",schemaPath:"#/properties/agents/type",keyword:"type",params:{type: "number"},message:"must be number"}];
return false;
}
var valid0 = _errs20 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.firstKeyAssigned !== undefined){
const _errs22 = errors;
if(typeof data.firstKeyAssigned !== "boolean"){
validate4.errors = [{instancePath:instancePath+"/firstKeyAssigned",schemaPath:"#/properties/firstKeyAssigned/type",keyword:"type",params:{type: "boolean"},message:"must be boolean"}];
return false;
}
var valid0 = _errs22 === errors;
}
else {
var valid0 = true;
}
}
}
}
}
}
}
else {
validate4.errors = [{instancePath,schemaPath:"#/type",keyword:"type",params:{type: "object"},message:"must be object"}];
return false;
}
}
validate4.errors = vErrors;
return errors === 0;
}

exports["openapi.json#/components/schemas/OrgPolicyView"] = validate5;

function validate5(data, {instancePath="", parentData, parentDataProperty, rootData=data}={}){
let vErrors = null;
let errors = 0;
if(errors === 0){
if(data && typeof data == "object" && !Array.isArray(data)){
let missing0;
if(((((((data.firstKeyRequiresAdmin === undefined) && (missing0 = "firstKeyRequiresAdmin")) || ((data.memberKeyApprovals === undefined) && (missing0 = "memberKeyApprovals"))) || ((data.adminKeyApprovals === undefined) && (missing0 = "adminKeyApprovals"))) || ((data.recoveryDelayHours === undefined) && (missing0 = "recoveryDelayHours"))) || ((data.pendingRequestExpiryHours === undefined) && (missing0 = "pendingRequestExpiryHours"))) || ((data.reminderAfterHours === undefined) && (missing0 = "reminderAfterHours"))){
validate5.errors = [{instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: missing0},message:"must have required property '"+missing0+"'"}];
return false;
}
else {
if(data.firstKeyRequiresAdmin !== undefined){
const _errs1 = errors;
if(typeof data.firstKeyRequiresAdmin !== "boolean"){
validate5.errors = [{instancePath:instancePath+"/firstKeyRequiresAdmin",schemaPath:"#/properties/firstKeyRequiresAdmin/type",keyword:"type",params:{type: "boolean"},message:"must be boolean"}];
return false;
}
var valid0 = _errs1 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.memberKeyApprovals !== undefined){
let data1 = data.memberKeyApprovals;
const _errs3 = errors;
if(!((typeof data1 == "number") && (!(data1 % 1) && !isNaN(data1)))){
validate5.errors = [{instancePath:instancePath+"/memberKeyApprovals",schemaPath:"#/properties/memberKeyApprovals/type",keyword:"type",params:{type: "integer"},message:"must be integer"}];
return false;
}
if(errors === _errs3){
if(typeof data1 == "number"){
if(data1 > 10 || isNaN(data1)){
validate5.errors = [{instancePath:instancePath+"/memberKeyApprovals",schemaPath:"#/properties/memberKeyApprovals/maximum",keyword:"maximum",params:{comparison: "<=", limit: 10},message:"must be <= 10"}];
return false;
}
else {
if(data1 < 1 || isNaN(data1)){
validate5.errors = [{instancePath:instancePath+"/memberKeyApprovals",schemaPath:"#/properties/memberKeyApprovals/minimum",keyword:"minimum",params:{comparison: ">=", limit: 1},message:"must be >= 1"}];
return false;
}
}
}
}
var valid0 = _errs3 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.adminKeyApprovals !== undefined){
let data2 = data.adminKeyApprovals;
const _errs5 = errors;
if(!((typeof data2 == "number") && (!(data2 % 1) && !isNaN(data2)))){
validate5.errors = [{instancePath:instancePath+"/adminKeyApprovals",schemaPath:"#/properties/adminKeyApprovals/type",keyword:"type",params:{type: "integer"},message:"must be integer"}];
return false;
}
if(errors === _errs5){
if(typeof data2 == "number"){
if(data2 > 10 || isNaN(data2)){
validate5.errors = [{instancePath:instancePath+"/adminKeyApprovals",schemaPath:"#/properties/adminKeyApprovals/maximum",keyword:"maximum",params:{comparison: "<=", limit: 10},message:"must be <= 10"}];
return false;
}
else {
if(data2 < 1 || isNaN(data2)){
validate5.errors = [{instancePath:instancePath+"/adminKeyApprovals",schemaPath:"#/properties/adminKeyApprovals/minimum",keyword:"minimum",params:{comparison: ">=", limit: 1},message:"must be >= 1"}];
return false;
}
}
}
}
var valid0 = _errs5 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.recoveryDelayHours !== undefined){
let data3 = data.recoveryDelayHours;
const _errs7 = errors;
if(!((typeof data3 == "number") && (!(data3 % 1) && !isNaN(data3)))){
validate5.errors = [{instancePath:instancePath+"/recoveryDelayHours",schemaPath:"#/properties/recoveryDelayHours/type",keyword:"type",params:{type: "integer"},message:"must be integer"}];
return false;
}
if(errors === _errs7){
if(typeof data3 == "number"){
if(data3 > 720 || isNaN(data3)){
validate5.errors = [{instancePath:instancePath+"/recoveryDelayHours",schemaPath:"#/properties/recoveryDelayHours/maximum",keyword:"maximum",params:{comparison: "<=", limit: 720},message:"must be <= 720"}];
return false;
}
else {
if(data3 < 24 || isNaN(data3)){
validate5.errors = [{instancePath:instancePath+"/recoveryDelayHours",schemaPath:"#/properties/recoveryDelayHours/minimum",keyword:"minimum",params:{comparison: ">=", limit: 24},message:"must be >= 24"}];
return false;
}
}
}
}
var valid0 = _errs7 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.pendingRequestExpiryHours !== undefined){
let data4 = data.pendingRequestExpiryHours;
const _errs9 = errors;
if(!((typeof data4 == "number") && (!(data4 % 1) && !isNaN(data4)))){
validate5.errors = [{instancePath:instancePath+"/pendingRequestExpiryHours",schemaPath:"#/properties/pendingRequestExpiryHours/type",keyword:"type",params:{type: "integer"},message:"must be integer"}];
return false;
}
if(errors === _errs9){
if(typeof data4 == "number"){
if(data4 > 2160 || isNaN(data4)){
validate5.errors = [{instancePath:instancePath+"/pendingRequestExpiryHours",schemaPath:"#/properties/pendingRequestExpiryHours/maximum",keyword:"maximum",params:{comparison: "<=", limit: 2160},message:"must be <= 2160"}];
return false;
}
else {
if(data4 < 1 || isNaN(data4)){
validate5.errors = [{instancePath:instancePath+"/pendingRequestExpiryHours",schemaPath:"#/properties/pendingRequestExpiryHours/minimum",keyword:"minimum",params:{comparison: ">=", limit: 1},message:"must be >= 1"}];
return false;
}
}
}
}
var valid0 = _errs9 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.reminderAfterHours !== undefined){
let data5 = data.reminderAfterHours;
const _errs11 = errors;
if(!((typeof data5 == "number") && (!(data5 % 1) && !isNaN(data5)))){
validate5.errors = [{instancePath:instancePath+"/reminderAfterHours",schemaPath:"#/properties/reminderAfterHours/type",keyword:"type",params:{type: "integer"},message:"must be integer"}];
return false;
}
if(errors === _errs11){
if(typeof data5 == "number"){
if(data5 > 720 || isNaN(data5)){
validate5.errors = [{instancePath:instancePath+"/reminderAfterHours",schemaPath:"#/properties/reminderAfterHours/maximum",keyword:"maximum",params:{comparison: "<=", limit: 720},message:"must be <= 720"}];
return false;
}
else {
if(data5 < 1 || isNaN(data5)){
validate5.errors = [{instancePath:instancePath+"/reminderAfterHours",schemaPath:"#/properties/reminderAfterHours/minimum",keyword:"minimum",params:{comparison: ">=", limit: 1},message:"must be >= 1"}];
return false;
}
}
}
}
var valid0 = _errs11 === errors;
}
else {
var valid0 = true;
}
}
}
}
}
}
}
}
else {
validate5.errors = [{instancePath,schemaPath:"#/type",keyword:"type",params:{type: "object"},message:"must be object"}];
return false;
}
}
validate5.errors = vErrors;
return errors === 0;
}

exports["openapi.json#/components/schemas/OrgPolicyChangedView"] = validate6;
const schema9 = {"type":"object","properties":{"policy":{"$ref":"#/components/schemas/OrgPolicyView"},"changed":{"type":"boolean","description":"false when the org already had this policy: nothing was written"},"position":{"type":"string","description":"Log position (decimal); absent when nothing was written","example":"42"}},"required":["policy","changed"]};

function validate6(data, {instancePath="", parentData, parentDataProperty, rootData=data}={}){
let vErrors = null;
let errors = 0;
if(errors === 0){
if(data && typeof data == "object" && !Array.isArray(data)){
let missing0;
if(((data.policy === undefined) && (missing0 = "policy")) || ((data.changed === undefined) && (missing0 = "changed"))){
validate6.errors = [{instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: missing0},message:"must have required property '"+missing0+"'"}];
return false;
}
else {
if(data.policy !== undefined){
let data0 = data.policy;
const _errs1 = errors;
const _errs2 = errors;
if(errors === _errs2){
if(data0 && typeof data0 == "object" && !Array.isArray(data0)){
let missing1;
if(((((((data0.firstKeyRequiresAdmin === undefined) && (missing1 = "firstKeyRequiresAdmin")) || ((data0.memberKeyApprovals === undefined) && (missing1 = "memberKeyApprovals"))) || ((data0.adminKeyApprovals === undefined) && (missing1 = "adminKeyApprovals"))) || ((data0.recoveryDelayHours === undefined) && (missing1 = "recoveryDelayHours"))) || ((data0.pendingRequestExpiryHours === undefined) && (missing1 = "pendingRequestExpiryHours"))) || ((data0.reminderAfterHours === undefined) && (missing1 = "reminderAfterHours"))){
validate6.errors = [{instancePath:instancePath+"/policy",schemaPath:"#/components/schemas/OrgPolicyView/required",keyword:"required",params:{missingProperty: missing1},message:"must have required property '"+missing1+"'"}];
return false;
}
else {
if(data0.firstKeyRequiresAdmin !== undefined){
const _errs4 = errors;
if(typeof data0.firstKeyRequiresAdmin !== "boolean"){
validate6.errors = [{instancePath:instancePath+"/policy/firstKeyRequiresAdmin",schemaPath:"#/components/schemas/OrgPolicyView/properties/firstKeyRequiresAdmin/type",keyword:"type",params:{type: "boolean"},message:"must be boolean"}];
return false;
}
var valid2 = _errs4 === errors;
}
else {
var valid2 = true;
}
if(valid2){
if(data0.memberKeyApprovals !== undefined){
let data2 = data0.memberKeyApprovals;
const _errs6 = errors;
if(!((typeof data2 == "number") && (!(data2 % 1) && !isNaN(data2)))){
validate6.errors = [{instancePath:instancePath+"/policy/memberKeyApprovals",schemaPath:"#/components/schemas/OrgPolicyView/properties/memberKeyApprovals/type",keyword:"type",params:{type: "integer"},message:"must be integer"}];
return false;
}
if(errors === _errs6){
if(typeof data2 == "number"){
if(data2 > 10 || isNaN(data2)){
validate6.errors = [{instancePath:instancePath+"/policy/memberKeyApprovals",schemaPath:"#/components/schemas/OrgPolicyView/properties/memberKeyApprovals/maximum",keyword:"maximum",params:{comparison: "<=", limit: 10},message:"must be <= 10"}];
return false;
}
else {
if(data2 < 1 || isNaN(data2)){
validate6.errors = [{instancePath:instancePath+"/policy/memberKeyApprovals",schemaPath:"#/components/schemas/OrgPolicyView/properties/memberKeyApprovals/minimum",keyword:"minimum",params:{comparison: ">=", limit: 1},message:"must be >= 1"}];
return false;
}
}
}
}
var valid2 = _errs6 === errors;
}
else {
var valid2 = true;
}
if(valid2){
if(data0.adminKeyApprovals !== undefined){
let data3 = data0.adminKeyApprovals;
const _errs8 = errors;
if(!((typeof data3 == "number") && (!(data3 % 1) && !isNaN(data3)))){
validate6.errors = [{instancePath:instancePath+"/policy/adminKeyApprovals",schemaPath:"#/components/schemas/OrgPolicyView/properties/adminKeyApprovals/type",keyword:"type",params:{type: "integer"},message:"must be integer"}];
return false;
}
if(errors === _errs8){
if(typeof data3 == "number"){
if(data3 > 10 || isNaN(data3)){
validate6.errors = [{instancePath:instancePath+"/policy/adminKeyApprovals",schemaPath:"#/components/schemas/OrgPolicyView/properties/adminKeyApprovals/maximum",keyword:"maximum",params:{comparison: "<=", limit: 10},message:"must be <= 10"}];
return false;
}
else {
if(data3 < 1 || isNaN(data3)){
validate6.errors = [{instancePath:instancePath+"/policy/adminKeyApprovals",schemaPath:"#/components/schemas/OrgPolicyView/properties/adminKeyApprovals/minimum",keyword:"minimum",params:{comparison: ">=", limit: 1},message:"must be >= 1"}];
return false;
}
}
}
}
var valid2 = _errs8 === errors;
}
else {
var valid2 = true;
}
if(valid2){
if(data0.recoveryDelayHours !== undefined){
let data4 = data0.recoveryDelayHours;
const _errs10 = errors;
if(!((typeof data4 == "number") && (!(data4 % 1) && !isNaN(data4)))){
validate6.errors = [{instancePath:instancePath+"/policy/recoveryDelayHours",schemaPath:"#/components/schemas/OrgPolicyView/properties/recoveryDelayHours/type",keyword:"type",params:{type: "integer"},message:"must be integer"}];
return false;
}
if(errors === _errs10){
if(typeof data4 == "number"){
if(data4 > 720 || isNaN(data4)){
validate6.errors = [{instancePath:instancePath+"/policy/recoveryDelayHours",schemaPath:"#/components/schemas/OrgPolicyView/properties/recoveryDelayHours/maximum",keyword:"maximum",params:{comparison: "<=", limit: 720},message:"must be <= 720"}];
return false;
}
else {
if(data4 < 24 || isNaN(data4)){
validate6.errors = [{instancePath:instancePath+"/policy/recoveryDelayHours",schemaPath:"#/components/schemas/OrgPolicyView/properties/recoveryDelayHours/minimum",keyword:"minimum",params:{comparison: ">=", limit: 24},message:"must be >= 24"}];
return false;
}
}
}
}
var valid2 = _errs10 === errors;
}
else {
var valid2 = true;
}
if(valid2){
if(data0.pendingRequestExpiryHours !== undefined){
let data5 = data0.pendingRequestExpiryHours;
const _errs12 = errors;
if(!((typeof data5 == "number") && (!(data5 % 1) && !isNaN(data5)))){
validate6.errors = [{instancePath:instancePath+"/policy/pendingRequestExpiryHours",schemaPath:"#/components/schemas/OrgPolicyView/properties/pendingRequestExpiryHours/type",keyword:"type",params:{type: "integer"},message:"must be integer"}];
return false;
}
if(errors === _errs12){
if(typeof data5 == "number"){
if(data5 > 2160 || isNaN(data5)){
validate6.errors = [{instancePath:instancePath+"/policy/pendingRequestExpiryHours",schemaPath:"#/components/schemas/OrgPolicyView/properties/pendingRequestExpiryHours/maximum",keyword:"maximum",params:{comparison: "<=", limit: 2160},message:"must be <= 2160"}];
return false;
}
else {
if(data5 < 1 || isNaN(data5)){
validate6.errors = [{instancePath:instancePath+"/policy/pendingRequestExpiryHours",schemaPath:"#/components/schemas/OrgPolicyView/properties/pendingRequestExpiryHours/minimum",keyword:"minimum",params:{comparison: ">=", limit: 1},message:"must be >= 1"}];
return false;
}
}
}
}
var valid2 = _errs12 === errors;
}
else {
var valid2 = true;
}
if(valid2){
if(data0.reminderAfterHours !== undefined){
let data6 = data0.reminderAfterHours;
const _errs14 = errors;
if(!((typeof data6 == "number") && (!(data6 % 1) && !isNaN(data6)))){
validate6.errors = [{instancePath:instancePath+"/policy/reminderAfterHours",schemaPath:"#/components/schemas/OrgPolicyView/properties/reminderAfterHours/type",keyword:"type",params:{type: "integer"},message:"must be integer"}];
return false;
}
if(errors === _errs14){
if(typeof data6 == "number"){
if(data6 > 720 || isNaN(data6)){
validate6.errors = [{instancePath:instancePath+"/policy/reminderAfterHours",schemaPath:"#/components/schemas/OrgPolicyView/properties/reminderAfterHours/maximum",keyword:"maximum",params:{comparison: "<=", limit: 720},message:"must be <= 720"}];
return false;
}
else {
if(data6 < 1 || isNaN(data6)){
validate6.errors = [{instancePath:instancePath+"/policy/reminderAfterHours",schemaPath:"#/components/schemas/OrgPolicyView/properties/reminderAfterHours/minimum",keyword:"minimum",params:{comparison: ">=", limit: 1},message:"must be >= 1"}];
return false;
}
}
}
}
var valid2 = _errs14 === errors;
}
else {
var valid2 = true;
}
}
}
}
}
}
}
}
else {
validate6.errors = [{instancePath:instancePath+"/policy",schemaPath:"#/components/schemas/OrgPolicyView/type",keyword:"type",params:{type: "object"},message:"must be object"}];
return false;
}
}
var valid0 = _errs1 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.changed !== undefined){
const _errs16 = errors;
if(typeof data.changed !== "boolean"){
validate6.errors = [{instancePath:instancePath+"/changed",schemaPath:"#/properties/changed/type",keyword:"type",params:{type: "boolean"},message:"must be boolean"}];
return false;
}
var valid0 = _errs16 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.position !== undefined){
const _errs18 = errors;
if(typeof data.position !== "string"){
validate6.errors = [{instancePath:instancePath+"/position",schemaPath:"#/properties/position/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
var valid0 = _errs18 === errors;
}
else {
var valid0 = true;
}
}
}
}
}
else {
validate6.errors = [{instancePath,schemaPath:"#/type",keyword:"type",params:{type: "object"},message:"must be object"}];
return false;
}
}
validate6.errors = vErrors;
return errors === 0;
}

exports["openapi.json#/components/schemas/RecoveryChangedView"] = validate7;
const schema11 = {"type":"object","properties":{"recoveryId":{"type":"string","example":"rc_01J9Z3"},"agentId":{"type":"string","description":"The SUPER_ADMIN it restores","example":"alice"},"status":{"type":"string","enum":["RUNNING","VETOED","COMPLETED","LAPSED"],"description":"LAPSED: its agent was demoted or removed while it ran, or requested no key within its claim window after it took effect, so it ended without a grant"},"startedAt":{"type":"string","format":"date-time"},"effectiveAt":{"type":"string","format":"date-time","description":"When it takes effect unless vetoed"},"remindAt":{"type":"string","format":"date-time","description":"When the approvers are reminded (halfway)"},"claimBy":{"type":"string","format":"date-time","description":"While RUNNING: until when, after effectiveAt, it waits for its agent's key request (the policy's pendingRequestExpiryHours as it stands now); it lapses UNCLAIMED then"},"delayHours":{"type":"number","description":"The delay applied: the policy's recoveryDelayHours, doubled with a working approver","example":72},"withWorkingApprover":{"type":"boolean","description":"An ADMIN or SUPER_ADMIN held an ACTIVE key when it started (so the delay is doubled)"},"reminded":{"type":"boolean","description":"The approvers were reminded"},"vetoedBy":{"type":"string","description":"Who vetoed it, once VETOED"},"requestId":{"type":"string","description":"The key request granted with mode RECOVERY, once COMPLETED"},"lapseReason":{"type":"string","enum":["AGENT_DEMOTED","AGENT_REMOVED","UNCLAIMED"],"description":"Why it lapsed, once LAPSED: its agent was given another role, or removed from the org, or requested no key within the policy's pendingRequestExpiryHours after effectiveAt (UNCLAIMED)"},"position":{"type":"string","description":"Log position (decimal)","example":"42"}},"required":["recoveryId","agentId","status","startedAt","effectiveAt","remindAt","delayHours","withWorkingApprover","reminded","position"]};
const formats0 = require("ajv-formats/dist/formats").fullFormats["date-time"];

function validate7(data, {instancePath="", parentData, parentDataProperty, rootData=data}={}){
let vErrors = null;
let errors = 0;
if(errors === 0){
if(data && typeof data == "object" && !Array.isArray(data)){
let missing0;
if(((((((((((data.recoveryId === undefined) && (missing0 = "recoveryId")) || ((data.agentId === undefined) && (missing0 = "agentId"))) || ((data.status === undefined) && (missing0 = "status"))) || ((data.startedAt === undefined) && (missing0 = "startedAt"))) || ((data.effectiveAt === undefined) && (missing0 = "effectiveAt"))) || ((data.remindAt === undefined) && (missing0 = "remindAt"))) || ((data.delayHours === undefined) && (missing0 = "delayHours"))) || ((data.withWorkingApprover === undefined) && (missing0 = "withWorkingApprover"))) || ((data.reminded === undefined) && (missing0 = "reminded"))) || ((data.position === undefined) && (missing0 = "position"))){
validate7.errors = [{instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: missing0},message:"must have required property '"+missing0+"'"}];
return false;
}
else {
if(data.recoveryId !== undefined){
const _errs1 = errors;
if(typeof data.recoveryId !== "string"){
validate7.errors = [{instancePath:instancePath+"/recoveryId",schemaPath:"#/properties/recoveryId/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
var valid0 = _errs1 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.agentId !== undefined){
const _errs3 = errors;
if(typeof data.agentId !== "string"){
validate7.errors = [{instancePath:instancePath+"/agentId",schemaPath:"#/properties/agentId/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
var valid0 = _errs3 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.status !== undefined){
let data2 = data.status;
const _errs5 = errors;
if(typeof data2 !== "string"){
validate7.errors = [{instancePath:instancePath+"/status",schemaPath:"#/properties/status/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
if(!((((data2 === "RUNNING") || (data2 === "VETOED")) || (data2 === "COMPLETED")) || (data2 === "LAPSED"))){
validate7.errors = [{instancePath:instancePath+"/status",schemaPath:"#/properties/status/enum",keyword:"enum",params:{allowedValues: schema11.properties.status.enum},message:"must be equal to one of the allowed values"}];
return false;
}
var valid0 = _errs5 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.startedAt !== undefined){
let data3 = data.startedAt;
const _errs7 = errors;
if(errors === _errs7){
if(errors === _errs7){
if(typeof data3 === "string"){
if(!(formats0.validate(data3))){
validate7.errors = [{instancePath:instancePath+"/startedAt",schemaPath:"#/properties/startedAt/format",keyword:"format",params:{format: "date-time"},message:"must match format \""+"date-time"+"\""}];
return false;
}
}
else {
validate7.errors = [{instancePath:instancePath+"/startedAt",schemaPath:"#/properties/startedAt/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
}
}
var valid0 = _errs7 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.effectiveAt !== undefined){
let data4 = data.effectiveAt;
const _errs9 = errors;
if(errors === _errs9){
if(errors === _errs9){
if(typeof data4 === "string"){
if(!(formats0.validate(data4))){
validate7.errors = [{instancePath:instancePath+"/effectiveAt",schemaPath:"#/properties/effectiveAt/format",keyword:"format",params:{format: "date-time"},message:"must match format \""+"date-time"+"\""}];
return false;
}
}
else {
validate7.errors = [{instancePath:instancePath+"/effectiveAt",schemaPath:"#/properties/effectiveAt/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
}
}
var valid0 = _errs9 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.remindAt !== undefined){
let data5 = data.remindAt;
const _errs11 = errors;
if(errors === _errs11){
if(errors === _errs11){
if(typeof data5 === "string"){
if(!(formats0.validate(data5))){
validate7.errors = [{instancePath:instancePath+"/remindAt",schemaPath:"#/properties/remindAt/format",keyword:"format",params:{format: "date-time"},message:"must match format \""+"date-time"+"\""}];
return false;
}
}
else {
validate7.errors = [{instancePath:instancePath+"/remindAt",schemaPath:"#/properties/remindAt/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
}
}
var valid0 = _errs11 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.claimBy !== undefined){
let data6 = data.claimBy;
const _errs13 = errors;
if(errors === _errs13){
if(errors === _errs13){
if(typeof data6 === "string"){
if(!(formats0.validate(data6))){
validate7.errors = [{instancePath:instancePath+"/claimBy",schemaPath:"#/properties/claimBy/format",keyword:"format",params:{format: "date-time"},message:"must match format \""+"date-time"+"\""}];
return false;
}
}
else {
validate7.errors = [{instancePath:instancePath+"/claimBy",schemaPath:"#/properties/claimBy/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
}
}
var valid0 = _errs13 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.delayHours !== undefined){
const _errs15 = errors;
if(!(typeof data.delayHours == "number")){
validate7.errors = [{instancePath:instancePath+"/delayHours",schemaPath:"#/properties/delayHours/type",keyword:"type",params:{type: "number"},message:"must be number"}];
return false;
}
var valid0 = _errs15 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.withWorkingApprover !== undefined){
const _errs17 = errors;
if(typeof data.withWorkingApprover !== "boolean"){
validate7.errors = [{instancePath:instancePath+"/withWorkingApprover",schemaPath:"#/properties/withWorkingApprover/type",keyword:"type",params:{type: "boolean"},message:"must be boolean"}];
return false;
}
var valid0 = _errs17 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.reminded !== undefined){
const _errs19 = errors;
if(typeof data.reminded !== "boolean"){
validate7.errors = [{instancePath:instancePath+"/reminded",schemaPath:"#/properties/reminded/type",keyword:"type",params:{type: "boolean"},message:"must be boolean"}];
return false;
}
var valid0 = _errs19 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.vetoedBy !== undefined){
const _errs21 = errors;
if(typeof data.vetoedBy !== "string"){
validate7.errors = [{instancePath:instancePath+"/vetoedBy",schemaPath:"#/properties/vetoedBy/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
var valid0 = _errs21 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.requestId !== undefined){
const _errs23 = errors;
if(typeof data.requestId !== "string"){
validate7.errors = [{instancePath:instancePath+"/requestId",schemaPath:"#/properties/requestId/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
var valid0 = _errs23 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.lapseReason !== undefined){
let data12 = data.lapseReason;
const _errs25 = errors;
if(typeof data12 !== "string"){
validate7.errors = [{instancePath:instancePath+"/lapseReason",schemaPath:"#/properties/lapseReason/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
if(!(((data12 === "AGENT_DEMOTED") || (data12 === "AGENT_REMOVED")) || (data12 === "UNCLAIMED"))){
validate7.errors = [{instancePath:instancePath+"/lapseReason",schemaPath:"#/properties/lapseReason/enum",keyword:"enum",params:{allowedValues: schema11.properties.lapseReason.enum},message:"must be equal to one of the allowed values"}];
return false;
}
var valid0 = _errs25 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.position !== undefined){
const _errs27 = errors;
if(typeof data.position !== "string"){
validate7.errors = [{instancePath:instancePath+"/position",schemaPath:"#/properties/position/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
var valid0 = _errs27 === errors;
}
else {
var valid0 = true;
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
else {
validate7.errors = [{instancePath,schemaPath:"#/type",keyword:"type",params:{type: "object"},message:"must be object"}];
return false;
}
}
validate7.errors = vErrors;
return errors === 0;
}

exports["openapi.json#/components/schemas/RecoveryView"] = validate8;
const schema12 = {"type":"object","properties":{"recoveryId":{"type":"string","example":"rc_01J9Z3"},"agentId":{"type":"string","description":"The SUPER_ADMIN it restores","example":"alice"},"status":{"type":"string","enum":["RUNNING","VETOED","COMPLETED","LAPSED"],"description":"LAPSED: its agent was demoted or removed while it ran, or requested no key within its claim window after it took effect, so it ended without a grant"},"startedAt":{"type":"string","format":"date-time"},"effectiveAt":{"type":"string","format":"date-time","description":"When it takes effect unless vetoed"},"remindAt":{"type":"string","format":"date-time","description":"When the approvers are reminded (halfway)"},"claimBy":{"type":"string","format":"date-time","description":"While RUNNING: until when, after effectiveAt, it waits for its agent's key request (the policy's pendingRequestExpiryHours as it stands now); it lapses UNCLAIMED then"},"delayHours":{"type":"number","description":"The delay applied: the policy's recoveryDelayHours, doubled with a working approver","example":72},"withWorkingApprover":{"type":"boolean","description":"An ADMIN or SUPER_ADMIN held an ACTIVE key when it started (so the delay is doubled)"},"reminded":{"type":"boolean","description":"The approvers were reminded"},"vetoedBy":{"type":"string","description":"Who vetoed it, once VETOED"},"requestId":{"type":"string","description":"The key request granted with mode RECOVERY, once COMPLETED"},"lapseReason":{"type":"string","enum":["AGENT_DEMOTED","AGENT_REMOVED","UNCLAIMED"],"description":"Why it lapsed, once LAPSED: its agent was given another role, or removed from the org, or requested no key within the policy's pendingRequestExpiryHours after effectiveAt (UNCLAIMED)"}},"required":["recoveryId","agentId","status","startedAt","effectiveAt","remindAt","delayHours","withWorkingApprover","reminded"]};

function validate8(data, {instancePath="", parentData, parentDataProperty, rootData=data}={}){
let vErrors = null;
let errors = 0;
if(errors === 0){
if(data && typeof data == "object" && !Array.isArray(data)){
let missing0;
if((((((((((data.recoveryId === undefined) && (missing0 = "recoveryId")) || ((data.agentId === undefined) && (missing0 = "agentId"))) || ((data.status === undefined) && (missing0 = "status"))) || ((data.startedAt === undefined) && (missing0 = "startedAt"))) || ((data.effectiveAt === undefined) && (missing0 = "effectiveAt"))) || ((data.remindAt === undefined) && (missing0 = "remindAt"))) || ((data.delayHours === undefined) && (missing0 = "delayHours"))) || ((data.withWorkingApprover === undefined) && (missing0 = "withWorkingApprover"))) || ((data.reminded === undefined) && (missing0 = "reminded"))){
validate8.errors = [{instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: missing0},message:"must have required property '"+missing0+"'"}];
return false;
}
else {
if(data.recoveryId !== undefined){
const _errs1 = errors;
if(typeof data.recoveryId !== "string"){
validate8.errors = [{instancePath:instancePath+"/recoveryId",schemaPath:"#/properties/recoveryId/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
var valid0 = _errs1 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.agentId !== undefined){
const _errs3 = errors;
if(typeof data.agentId !== "string"){
validate8.errors = [{instancePath:instancePath+"/agentId",schemaPath:"#/properties/agentId/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
var valid0 = _errs3 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.status !== undefined){
let data2 = data.status;
const _errs5 = errors;
if(typeof data2 !== "string"){
validate8.errors = [{instancePath:instancePath+"/status",schemaPath:"#/properties/status/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
if(!((((data2 === "RUNNING") || (data2 === "VETOED")) || (data2 === "COMPLETED")) || (data2 === "LAPSED"))){
validate8.errors = [{instancePath:instancePath+"/status",schemaPath:"#/properties/status/enum",keyword:"enum",params:{allowedValues: schema12.properties.status.enum},message:"must be equal to one of the allowed values"}];
return false;
}
var valid0 = _errs5 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.startedAt !== undefined){
let data3 = data.startedAt;
const _errs7 = errors;
if(errors === _errs7){
if(errors === _errs7){
if(typeof data3 === "string"){
if(!(formats0.validate(data3))){
validate8.errors = [{instancePath:instancePath+"/startedAt",schemaPath:"#/properties/startedAt/format",keyword:"format",params:{format: "date-time"},message:"must match format \""+"date-time"+"\""}];
return false;
}
}
else {
validate8.errors = [{instancePath:instancePath+"/startedAt",schemaPath:"#/properties/startedAt/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
}
}
var valid0 = _errs7 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.effectiveAt !== undefined){
let data4 = data.effectiveAt;
const _errs9 = errors;
if(errors === _errs9){
if(errors === _errs9){
if(typeof data4 === "string"){
if(!(formats0.validate(data4))){
validate8.errors = [{instancePath:instancePath+"/effectiveAt",schemaPath:"#/properties/effectiveAt/format",keyword:"format",params:{format: "date-time"},message:"must match format \""+"date-time"+"\""}];
return false;
}
}
else {
validate8.errors = [{instancePath:instancePath+"/effectiveAt",schemaPath:"#/properties/effectiveAt/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
}
}
var valid0 = _errs9 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.remindAt !== undefined){
let data5 = data.remindAt;
const _errs11 = errors;
if(errors === _errs11){
if(errors === _errs11){
if(typeof data5 === "string"){
if(!(formats0.validate(data5))){
validate8.errors = [{instancePath:instancePath+"/remindAt",schemaPath:"#/properties/remindAt/format",keyword:"format",params:{format: "date-time"},message:"must match format \""+"date-time"+"\""}];
return false;
}
}
else {
validate8.errors = [{instancePath:instancePath+"/remindAt",schemaPath:"#/properties/remindAt/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
}
}
var valid0 = _errs11 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.claimBy !== undefined){
let data6 = data.claimBy;
const _errs13 = errors;
if(errors === _errs13){
if(errors === _errs13){
if(typeof data6 === "string"){
if(!(formats0.validate(data6))){
validate8.errors = [{instancePath:instancePath+"/claimBy",schemaPath:"#/properties/claimBy/format",keyword:"format",params:{format: "date-time"},message:"must match format \""+"date-time"+"\""}];
return false;
}
}
else {
validate8.errors = [{instancePath:instancePath+"/claimBy",schemaPath:"#/properties/claimBy/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
}
}
var valid0 = _errs13 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.delayHours !== undefined){
const _errs15 = errors;
if(!(typeof data.delayHours == "number")){
validate8.errors = [{instancePath:instancePath+"/delayHours",schemaPath:"#/properties/delayHours/type",keyword:"type",params:{type: "number"},message:"must be number"}];
return false;
}
var valid0 = _errs15 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.withWorkingApprover !== undefined){
const _errs17 = errors;
if(typeof data.withWorkingApprover !== "boolean"){
validate8.errors = [{instancePath:instancePath+"/withWorkingApprover",schemaPath:"#/properties/withWorkingApprover/type",keyword:"type",params:{type: "boolean"},message:"must be boolean"}];
return false;
}
var valid0 = _errs17 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.reminded !== undefined){
const _errs19 = errors;
if(typeof data.reminded !== "boolean"){
validate8.errors = [{instancePath:instancePath+"/reminded",schemaPath:"#/properties/reminded/type",keyword:"type",params:{type: "boolean"},message:"must be boolean"}];
return false;
}
var valid0 = _errs19 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.vetoedBy !== undefined){
const _errs21 = errors;
if(typeof data.vetoedBy !== "string"){
validate8.errors = [{instancePath:instancePath+"/vetoedBy",schemaPath:"#/properties/vetoedBy/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
var valid0 = _errs21 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.requestId !== undefined){
const _errs23 = errors;
if(typeof data.requestId !== "string"){
validate8.errors = [{instancePath:instancePath+"/requestId",schemaPath:"#/properties/requestId/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
var valid0 = _errs23 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.lapseReason !== undefined){
let data12 = data.lapseReason;
const _errs25 = errors;
if(typeof data12 !== "string"){
validate8.errors = [{instancePath:instancePath+"/lapseReason",schemaPath:"#/properties/lapseReason/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
if(!(((data12 === "AGENT_DEMOTED") || (data12 === "AGENT_REMOVED")) || (data12 === "UNCLAIMED"))){
validate8.errors = [{instancePath:instancePath+"/lapseReason",schemaPath:"#/properties/lapseReason/enum",keyword:"enum",params:{allowedValues: schema12.properties.lapseReason.enum},message:"must be equal to one of the allowed values"}];
return false;
}
var valid0 = _errs25 === errors;
}
else {
var valid0 = true;
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
else {
validate8.errors = [{instancePath,schemaPath:"#/type",keyword:"type",params:{type: "object"},message:"must be object"}];
return false;
}
}
validate8.errors = vErrors;
return errors === 0;
}

exports["openapi.json#/components/schemas/PositionView"] = validate9;
const schema13 = {"type":"object","properties":{"position":{"anyOf":[{"type":"string","description":"Log position (decimal); null when nothing was recorded","example":"42"},{"type":"null"}]}},"required":["position"]};

function validate9(data, {instancePath="", parentData, parentDataProperty, rootData=data}={}){
let vErrors = null;
let errors = 0;
if(errors === 0){
if(data && typeof data == "object" && !Array.isArray(data)){
let missing0;
if((data.position === undefined) && (missing0 = "position")){
validate9.errors = [{instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: missing0},message:"must have required property '"+missing0+"'"}];
return false;
}
else {
if(data.position !== undefined){
let data0 = data.position;
const _errs2 = errors;
let valid1 = false;
const _errs3 = errors;
if(typeof data0 !== "string"){
const err0 = {instancePath:instancePath+"/position",schemaPath:"#/properties/position/anyOf/0/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err0];
}
else {
vErrors.push(err0);
}
errors++;
}
var _valid0 = _errs3 === errors;
valid1 = valid1 || _valid0;
if(!valid1){
const _errs5 = errors;
if(data0 !== null){
const err1 = {instancePath:instancePath+"/position",schemaPath:"#/properties/position/anyOf/1/type",keyword:"type",params:{type: "null"},message:"must be null"};
if(vErrors === null){
vErrors = [err1];
}
else {
vErrors.push(err1);
}
errors++;
}
var _valid0 = _errs5 === errors;
valid1 = valid1 || _valid0;
}
if(!valid1){
const err2 = {instancePath:instancePath+"/position",schemaPath:"#/properties/position/anyOf",keyword:"anyOf",params:{},message:"must match a schema in anyOf"};
if(vErrors === null){
vErrors = [err2];
}
else {
vErrors.push(err2);
}
errors++;
validate9.errors = vErrors;
return false;
}
else {
errors = _errs2;
if(vErrors !== null){
if(_errs2){
vErrors.length = _errs2;
}
else {
vErrors = null;
}
}
}
}
}
}
else {
validate9.errors = [{instancePath,schemaPath:"#/type",keyword:"type",params:{type: "object"},message:"must be object"}];
return false;
}
}
validate9.errors = vErrors;
return errors === 0;
}

exports["openapi.json#/components/schemas/ChallengeView"] = validate10;
const schema14 = {"type":"object","properties":{"challengeId":{"type":"string","description":"Send it back with the signature"},"statement":{"type":"string","description":"RFC 8785 canonical JSON of what is bound: sign its UTF-8 bytes"},"expiresAt":{"type":"string","format":"date-time","example":"2026-11-30T12:05:00.000Z"}},"required":["challengeId","statement","expiresAt"]};

function validate10(data, {instancePath="", parentData, parentDataProperty, rootData=data}={}){
let vErrors = null;
let errors = 0;
if(errors === 0){
if(data && typeof data == "object" && !Array.isArray(data)){
let missing0;
if((((data.challengeId === undefined) && (missing0 = "challengeId")) || ((data.statement === undefined) && (missing0 = "statement"))) || ((data.expiresAt === undefined) && (missing0 = "expiresAt"))){
validate10.errors = [{instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: missing0},message:"must have required property '"+missing0+"'"}];
return false;
}
else {
if(data.challengeId !== undefined){
const _errs1 = errors;
if(typeof data.challengeId !== "string"){
validate10.errors = [{instancePath:instancePath+"/challengeId",schemaPath:"#/properties/challengeId/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
var valid0 = _errs1 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.statement !== undefined){
const _errs3 = errors;
if(typeof data.statement !== "string"){
validate10.errors = [{instancePath:instancePath+"/statement",schemaPath:"#/properties/statement/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
var valid0 = _errs3 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.expiresAt !== undefined){
let data2 = data.expiresAt;
const _errs5 = errors;
if(errors === _errs5){
if(errors === _errs5){
if(typeof data2 === "string"){
if(!(formats0.validate(data2))){
validate10.errors = [{instancePath:instancePath+"/expiresAt",schemaPath:"#/properties/expiresAt/format",keyword:"format",params:{format: "date-time"},message:"must match format \""+"date-time"+"\""}];
return false;
}
}
else {
validate10.errors = [{instancePath:instancePath+"/expiresAt",schemaPath:"#/properties/expiresAt/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
}
}
var valid0 = _errs5 === errors;
}
else {
var valid0 = true;
}
}
}
}
}
else {
validate10.errors = [{instancePath,schemaPath:"#/type",keyword:"type",params:{type: "object"},message:"must be object"}];
return false;
}
}
validate10.errors = vErrors;
return errors === 0;
}

exports["openapi.json#/components/schemas/KeyRequestCreatedView"] = validate11;
const schema15 = {"type":"object","properties":{"requestId":{"type":"string","example":"alice.kr_01J9Z3"},"status":{"type":"string","enum":["PENDING","APPROVED"],"description":"APPROVED at once for an org's first key (R4)"},"verificationCode":{"type":"string","description":"R5: the code the requester reads out to the approver (15 digits)","example":"123456789012345"},"fingerprint":{"type":"string","description":"Fingerprint of the public key"},"position":{"type":"string","description":"Log position (decimal)","example":"42"},"warning":{"type":"string","description":"Something the requester should know (e.g. a pending request was replaced)"}},"required":["requestId","status","verificationCode","fingerprint","position"]};

function validate11(data, {instancePath="", parentData, parentDataProperty, rootData=data}={}){
let vErrors = null;
let errors = 0;
if(errors === 0){
if(data && typeof data == "object" && !Array.isArray(data)){
let missing0;
if((((((data.requestId === undefined) && (missing0 = "requestId")) || ((data.status === undefined) && (missing0 = "status"))) || ((data.verificationCode === undefined) && (missing0 = "verificationCode"))) || ((data.fingerprint === undefined) && (missing0 = "fingerprint"))) || ((data.position === undefined) && (missing0 = "position"))){
validate11.errors = [{instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: missing0},message:"must have required property '"+missing0+"'"}];
return false;
}
else {
if(data.requestId !== undefined){
const _errs1 = errors;
if(typeof data.requestId !== "string"){
validate11.errors = [{instancePath:instancePath+"/requestId",schemaPath:"#/properties/requestId/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
var valid0 = _errs1 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.status !== undefined){
let data1 = data.status;
const _errs3 = errors;
if(typeof data1 !== "string"){
validate11.errors = [{instancePath:instancePath+"/status",schemaPath:"#/properties/status/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
if(!((data1 === "PENDING") || (data1 === "APPROVED"))){
validate11.errors = [{instancePath:instancePath+"/status",schemaPath:"#/properties/status/enum",keyword:"enum",params:{allowedValues: schema15.properties.status.enum},message:"must be equal to one of the allowed values"}];
return false;
}
var valid0 = _errs3 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.verificationCode !== undefined){
const _errs5 = errors;
if(typeof data.verificationCode !== "string"){
validate11.errors = [{instancePath:instancePath+"/verificationCode",schemaPath:"#/properties/verificationCode/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
var valid0 = _errs5 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.fingerprint !== undefined){
const _errs7 = errors;
if(typeof data.fingerprint !== "string"){
validate11.errors = [{instancePath:instancePath+"/fingerprint",schemaPath:"#/properties/fingerprint/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
var valid0 = _errs7 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.position !== undefined){
const _errs9 = errors;
if(typeof data.position !== "string"){
validate11.errors = [{instancePath:instancePath+"/position",schemaPath:"#/properties/position/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
var valid0 = _errs9 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.warning !== undefined){
const _errs11 = errors;
if(typeof data.warning !== "string"){
validate11.errors = [{instancePath:instancePath+"/warning",schemaPath:"#/properties/warning/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
var valid0 = _errs11 === errors;
}
else {
var valid0 = true;
}
}
}
}
}
}
}
}
else {
validate11.errors = [{instancePath,schemaPath:"#/type",keyword:"type",params:{type: "object"},message:"must be object"}];
return false;
}
}
validate11.errors = vErrors;
return errors === 0;
}

exports["openapi.json#/components/schemas/PendingKeysPageView"] = validate12;
const schema16 = {"type":"object","properties":{"items":{"type":"array","items":{"$ref":"#/components/schemas/PendingKeyView"}},"nextCursor":{"type":"string","description":"Pass it back as `cursor` for the next page; absent on the last page"}},"required":["items"]};
const schema17 = {"type":"object","properties":{"requestId":{"type":"string","example":"alice.kr_01J9Z3"},"agentId":{"type":"string","example":"alice"},"displayName":{"type":"string","example":"Alice","description":"The requester as the directory knows them now"},"email":{"type":"string","example":"alice@example.com","description":"The requester as the directory knows them now"},"publicKey":{"type":"string"},"fingerprint":{"type":"string"},"verificationCode":{"type":"string","description":"R5: compare with the code the requester reads out"},"replacesFingerprint":{"anyOf":[{"type":"string","description":"R8: fingerprint of the requester's ACTIVE key that approving the request revokes (REPLACED) before its key becomes ACTIVE; null when it replaces none: a first key, or the key was revoked since the request"},{"type":"null"}]},"requestedAt":{"type":"string","format":"date-time"},"requestedPosition":{"type":"number","description":"Log position of the request (the list is oldest first by it)"},"failedAttempts":{"type":"number"},"attemptsLeft":{"type":"number"},"remindedAt":{"anyOf":[{"type":"string","format":"date-time","description":"R20: when its approvers were reminded of it"},{"type":"null"}]},"approvals":{"description":"R20 M-of-N: the approvers whose signed approvals count now, in order: not one demoted since, nor one whose key that signed was revoked or replaced since","type":"array","items":{"type":"string"}},"approvalsRequired":{"type":"number","description":"R20 M-of-N: the approvals that activate the key now: the org policy's threshold for the requester's role, capped by the approvers besides the requester who hold an ACTIVE key (as the approval answer's approvalsRequired)"},"remindAt":{"type":"string","format":"date-time","description":"R20: when its approvers are (or were) reminded of it, by the org's policy now"},"expiresAt":{"type":"string","format":"date-time","description":"R20: when it expires, by the org's policy now (a policy change moves it at once): counted from the expiry of the challenge its proof answered plus the tolerated clock skew. Past it, nobody can decide it and the requester may request again"}},"required":["requestId","agentId","publicKey","fingerprint","verificationCode","replacesFingerprint","requestedAt","requestedPosition","failedAttempts","attemptsLeft","remindedAt","approvals","approvalsRequired"]};

function validate12(data, {instancePath="", parentData, parentDataProperty, rootData=data}={}){
let vErrors = null;
let errors = 0;
if(errors === 0){
if(data && typeof data == "object" && !Array.isArray(data)){
let missing0;
if((data.items === undefined) && (missing0 = "items")){
validate12.errors = [{instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: missing0},message:"must have required property '"+missing0+"'"}];
return false;
}
else {
if(data.items !== undefined){
let data0 = data.items;
const _errs1 = errors;
if(errors === _errs1){
if(Array.isArray(data0)){
var valid1 = true;
const len0 = data0.length;
for(let i0=0; i0<len0; i0++){
let data1 = data0[i0];
const _errs3 = errors;
const _errs4 = errors;
if(errors === _errs4){
if(data1 && typeof data1 == "object" && !Array.isArray(data1)){
let missing1;
if((((((((((((((data1.requestId === undefined) && (missing1 = "requestId")) || ((data1.agentId === undefined) && (missing1 = "agentId"))) || ((data1.publicKey === undefined) && (missing1 = "publicKey"))) || ((data1.fingerprint === undefined) && (missing1 = "fingerprint"))) || ((data1.verificationCode === undefined) && (missing1 = "verificationCode"))) || ((data1.replacesFingerprint === undefined) && (missing1 = "replacesFingerprint"))) || ((data1.requestedAt === undefined) && (missing1 = "requestedAt"))) || ((data1.requestedPosition === undefined) && (missing1 = "requestedPosition"))) || ((data1.failedAttempts === undefined) && (missing1 = "failedAttempts"))) || ((data1.attemptsLeft === undefined) && (missing1 = "attemptsLeft"))) || ((data1.remindedAt === undefined) && (missing1 = "remindedAt"))) || ((data1.approvals === undefined) && (missing1 = "approvals"))) || ((data1.approvalsRequired === undefined) && (missing1 = "approvalsRequired"))){
validate12.errors = [{instancePath:instancePath+"/items/" + i0,schemaPath:"#/components/schemas/PendingKeyView/required",keyword:"required",params:{missingProperty: missing1},message:"must have required property '"+missing1+"'"}];
return false;
}
else {
if(data1.requestId !== undefined){
const _errs6 = errors;
if(typeof data1.requestId !== "string"){
validate12.errors = [{instancePath:instancePath+"/items/" + i0+"/requestId",schemaPath:"#/components/schemas/PendingKeyView/properties/requestId/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
var valid3 = _errs6 === errors;
}
else {
var valid3 = true;
}
if(valid3){
if(data1.agentId !== undefined){
const _errs8 = errors;
if(typeof data1.agentId !== "string"){
validate12.errors = [{instancePath:instancePath+"/items/" + i0+"/agentId",schemaPath:"#/components/schemas/PendingKeyView/properties/agentId/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
var valid3 = _errs8 === errors;
}
else {
var valid3 = true;
}
if(valid3){
if(data1.displayName !== undefined){
const _errs10 = errors;
if(typeof data1.displayName !== "string"){
validate12.errors = [{instancePath:instancePath+"/items/" + i0+"/displayName",schemaPath:"#/components/schemas/PendingKeyView/properties/displayName/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
var valid3 = _errs10 === errors;
}
else {
var valid3 = true;
}
if(valid3){
if(data1.email !== undefined){
const _errs12 = errors;
if(typeof data1.email !== "string"){
validate12.errors = [{instancePath:instancePath+"/items/" + i0+"/email",schemaPath:"#/components/schemas/PendingKeyView/properties/email/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
var valid3 = _errs12 === errors;
}
else {
var valid3 = true;
}
if(valid3){
if(data1.publicKey !== undefined){
const _errs14 = errors;
if(typeof data1.publicKey !== "string"){
validate12.errors = [{instancePath:instancePath+"/items/" + i0+"/publicKey",schemaPath:"#/components/schemas/PendingKeyView/properties/publicKey/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
var valid3 = _errs14 === errors;
}
else {
var valid3 = true;
}
if(valid3){
if(data1.fingerprint !== undefined){
const _errs16 = errors;
if(typeof data1.fingerprint !== "string"){
validate12.errors = [{instancePath:instancePath+"/items/" + i0+"/fingerprint",schemaPath:"#/components/schemas/PendingKeyView/properties/fingerprint/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
var valid3 = _errs16 === errors;
}
else {
var valid3 = true;
}
if(valid3){
if(data1.verificationCode !== undefined){
const _errs18 = errors;
if(typeof data1.verificationCode !== "string"){
validate12.errors = [{instancePath:instancePath+"/items/" + i0+"/verificationCode",schemaPath:"#/components/schemas/PendingKeyView/properties/verificationCode/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
var valid3 = _errs18 === errors;
}
else {
var valid3 = true;
}
if(valid3){
if(data1.replacesFingerprint !== undefined){
let data9 = data1.replacesFingerprint;
const _errs20 = errors;
const _errs21 = errors;
let valid4 = false;
const _errs22 = errors;
if(typeof data9 !== "string"){
const err0 = {instancePath:instancePath+"/items/" + i0+"/replacesFingerprint",schemaPath:"#/components/schemas/PendingKeyView/properties/replacesFingerprint/anyOf/0/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err0];
}
else {
vErrors.push(err0);
}
errors++;
}
var _valid0 = _errs22 === errors;
valid4 = valid4 || _valid0;
if(!valid4){
const _errs24 = errors;
if(data9 !== null){
const err1 = {instancePath:instancePath+"/items/" + i0+"/replacesFingerprint",schemaPath:"#/components/schemas/PendingKeyView/properties/replacesFingerprint/anyOf/1/type",keyword:"type",params:{type: "null"},message:"must be null"};
if(vErrors === null){
vErrors = [err1];
}
else {
vErrors.push(err1);
}
errors++;
}
var _valid0 = _errs24 === errors;
valid4 = valid4 || _valid0;
}
if(!valid4){
const err2 = {instancePath:instancePath+"/items/" + i0+"/replacesFingerprint",schemaPath:"#/components/schemas/PendingKeyView/properties/replacesFingerprint/anyOf",keyword:"anyOf",params:{},message:"must match a schema in anyOf"};
if(vErrors === null){
vErrors = [err2];
}
else {
vErrors.push(err2);
}
errors++;
validate12.errors = vErrors;
return false;
}
else {
errors = _errs21;
if(vErrors !== null){
if(_errs21){
vErrors.length = _errs21;
}
else {
vErrors = null;
}
}
}
var valid3 = _errs20 === errors;
}
else {
var valid3 = true;
}
if(valid3){
if(data1.requestedAt !== undefined){
let data10 = data1.requestedAt;
const _errs26 = errors;
if(errors === _errs26){
if(errors === _errs26){
if(typeof data10 === "string"){
if(!(formats0.validate(data10))){
validate12.errors = [{instancePath:instancePath+"/items/" + i0+"/requestedAt",schemaPath:"#/components/schemas/PendingKeyView/properties/requestedAt/format",keyword:"format",params:{format: "date-time"},message:"must match format \""+"date-time"+"\""}];
return false;
}
}
else {
validate12.errors = [{instancePath:instancePath+"/items/" + i0+"/requestedAt",schemaPath:"#/components/schemas/PendingKeyView/properties/requestedAt/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
}
}
var valid3 = _errs26 === errors;
}
else {
var valid3 = true;
}
if(valid3){
if(data1.requestedPosition !== undefined){
const _errs28 = errors;
if(!(typeof data1.requestedPosition == "number")){
validate12.errors = [{instancePath:instancePath+"/items/" + i0+"/requestedPosition",schemaPath:"#/components/schemas/PendingKeyView/properties/requestedPosition/type",keyword:"type",params:{type: "number"},message:"must be number"}];
return false;
}
var valid3 = _errs28 === errors;
}
else {
var valid3 = true;
}
if(valid3){
if(data1.failedAttempts !== undefined){
const _errs30 = errors;
if(!(typeof data1.failedAttempts == "number")){
validate12.errors = [{instancePath:instancePath+"/items/" + i0+"/failedAttempts",schemaPath:"#/components/schemas/PendingKeyView/properties/failedAttempts/type",keyword:"type",params:{type: "number"},message:"must be number"}];
return false;
}
var valid3 = _errs30 === errors;
}
else {
var valid3 = true;
}
if(valid3){
if(data1.attemptsLeft !== undefined){
const _errs32 = errors;
if(!(typeof data1.attemptsLeft == "number")){
validate12.errors = [{instancePath:instancePath+"/items/" + i0+"/attemptsLeft",schemaPath:"#/components/schemas/PendingKeyView/properties/attemptsLeft/type",keyword:"type",params:{type: "number"},message:"must be number"}];
return false;
}
var valid3 = _errs32 === errors;
}
else {
var valid3 = true;
}
if(valid3){
if(data1.remindedAt !== undefined){
let data14 = data1.remindedAt;
const _errs34 = errors;
const _errs35 = errors;
let valid5 = false;
const _errs36 = errors;
if(errors === _errs36){
if(errors === _errs36){
if(typeof data14 === "string"){
if(!(formats0.validate(data14))){
const err3 = {instancePath:instancePath+"/items/" + i0+"/remindedAt",schemaPath:"#/components/schemas/PendingKeyView/properties/remindedAt/anyOf/0/format",keyword:"format",params:{format: "date-time"},message:"must match format \""+"date-time"+"\""};
if(vErrors === null){
vErrors = [err3];
}
else {
vErrors.push(err3);
}
errors++;
}
}
else {
const err4 = {instancePath:instancePath+"/items/" + i0+"/remindedAt",schemaPath:"#/components/schemas/PendingKeyView/properties/remindedAt/anyOf/0/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err4];
}
else {
vErrors.push(err4);
}
errors++;
}
}
}
var _valid1 = _errs36 === errors;
valid5 = valid5 || _valid1;
if(!valid5){
const _errs38 = errors;
if(data14 !== null){
const err5 = {instancePath:instancePath+"/items/" + i0+"/remindedAt",schemaPath:"#/components/schemas/PendingKeyView/properties/remindedAt/anyOf/1/type",keyword:"type",params:{type: "null"},message:"must be null"};
if(vErrors === null){
vErrors = [err5];
}
else {
vErrors.push(err5);
}
errors++;
}
var _valid1 = _errs38 === errors;
valid5 = valid5 || _valid1;
}
if(!valid5){
const err6 = {instancePath:instancePath+"/items/" + i0+"/remindedAt",schemaPath:"#/components/schemas/PendingKeyView/properties/remindedAt/anyOf",keyword:"anyOf",params:{},message:"must match a schema in anyOf"};
if(vErrors === null){
vErrors = [err6];
}
else {
vErrors.push(err6);
}
errors++;
validate12.errors = vErrors;
return false;
}
else {
errors = _errs35;
if(vErrors !== null){
if(_errs35){
vErrors.length = _errs35;
}
else {
vErrors = null;
}
}
}
var valid3 = _errs34 === errors;
}
else {
var valid3 = true;
}
if(valid3){
if(data1.approvals !== undefined){
let data15 = data1.approvals;
const _errs40 = errors;
if(errors === _errs40){
if(Array.isArray(data15)){
var valid6 = true;
const len1 = data15.length;
for(let i1=0; i1<len1; i1++){
const _errs42 = errors;
if(typeof data15[i1] !== "string"){
validate12.errors = [{instancePath:instancePath+"/items/" + i0+"/approvals/" + i1,schemaPath:"#/components/schemas/PendingKeyView/properties/approvals/items/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
var valid6 = _errs42 === errors;
if(!valid6){
break;
}
}
}
else {
validate12.errors = [{instancePath:instancePath+"/items/" + i0+"/approvals",schemaPath:"#/components/schemas/PendingKeyView/properties/approvals/type",keyword:"type",params:{type: "array"},message:"must be array"}];
return false;
}
}
var valid3 = _errs40 === errors;
}
else {
var valid3 = true;
}
if(valid3){
if(data1.approvalsRequired !== undefined){
const _errs44 = errors;
if(!(typeof data1.approvalsRequired == "number")){
validate12.errors = [{instancePath:instancePath+"/items/" + i0+"/approvalsRequired",schemaPath:"#/components/schemas/PendingKeyView/properties/approvalsRequired/type",keyword:"type",params:{type: "number"},message:"must be number"}];
return false;
}
var valid3 = _errs44 === errors;
}
else {
var valid3 = true;
}
if(valid3){
if(data1.remindAt !== undefined){
let data18 = data1.remindAt;
const _errs46 = errors;
if(errors === _errs46){
if(errors === _errs46){
if(typeof data18 === "string"){
if(!(formats0.validate(data18))){
validate12.errors = [{instancePath:instancePath+"/items/" + i0+"/remindAt",schemaPath:"#/components/schemas/PendingKeyView/properties/remindAt/format",keyword:"format",params:{format: "date-time"},message:"must match format \""+"date-time"+"\""}];
return false;
}
}
else {
validate12.errors = [{instancePath:instancePath+"/items/" + i0+"/remindAt",schemaPath:"#/components/schemas/PendingKeyView/properties/remindAt/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
}
}
var valid3 = _errs46 === errors;
}
else {
var valid3 = true;
}
if(valid3){
if(data1.expiresAt !== undefined){
let data19 = data1.expiresAt;
const _errs48 = errors;
if(errors === _errs48){
if(errors === _errs48){
if(typeof data19 === "string"){
if(!(formats0.validate(data19))){
validate12.errors = [{instancePath:instancePath+"/items/" + i0+"/expiresAt",schemaPath:"#/components/schemas/PendingKeyView/properties/expiresAt/format",keyword:"format",params:{format: "date-time"},message:"must match format \""+"date-time"+"\""}];
return false;
}
}
else {
validate12.errors = [{instancePath:instancePath+"/items/" + i0+"/expiresAt",schemaPath:"#/components/schemas/PendingKeyView/properties/expiresAt/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
}
}
var valid3 = _errs48 === errors;
}
else {
var valid3 = true;
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
else {
validate12.errors = [{instancePath:instancePath+"/items/" + i0,schemaPath:"#/components/schemas/PendingKeyView/type",keyword:"type",params:{type: "object"},message:"must be object"}];
return false;
}
}
var valid1 = _errs3 === errors;
if(!valid1){
break;
}
}
}
else {
validate12.errors = [{instancePath:instancePath+"/items",schemaPath:"#/properties/items/type",keyword:"type",params:{type: "array"},message:"must be array"}];
return false;
}
}
var valid0 = _errs1 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.nextCursor !== undefined){
const _errs50 = errors;
if(typeof data.nextCursor !== "string"){
validate12.errors = [{instancePath:instancePath+"/nextCursor",schemaPath:"#/properties/nextCursor/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
var valid0 = _errs50 === errors;
}
else {
var valid0 = true;
}
}
}
}
else {
validate12.errors = [{instancePath,schemaPath:"#/type",keyword:"type",params:{type: "object"},message:"must be object"}];
return false;
}
}
validate12.errors = vErrors;
return errors === 0;
}

exports["openapi.json#/components/schemas/KeyRequestView"] = validate13;
const schema18 = {"type":"object","properties":{"requestId":{"type":"string","example":"alice.kr_01J9Z3"},"agentId":{"type":"string","example":"alice"},"displayName":{"type":"string","example":"Alice"},"email":{"type":"string","example":"alice@example.com"},"status":{"type":"string","enum":["PENDING","APPROVED","REJECTED","LOCKED","CANCELLED","REVOKED","EXPIRED"],"description":"EXPIRED also for a PENDING request past its expiresAt that the scheduler has not recorded yet: nobody can decide it any more"},"publicKey":{"type":"string","description":"Raw Ed25519 public key, base64url (43 characters)"},"fingerprint":{"type":"string"},"verificationCode":{"type":"string","description":"R5: the code the requester reads out to the approver (15 digits)","example":"123456789012345"},"failedAttempts":{"type":"number","description":"Wrong verification codes so far (the 5th locks the request)"},"replacesFingerprint":{"anyOf":[{"type":"string","description":"R8: fingerprint of the requester's ACTIVE key that approving the request revokes (REPLACED) before its key becomes ACTIVE; null when it replaces none: a first key, or the key was revoked since the request; null once decided too"},{"type":"null"}]},"approvals":{"description":"R20 M-of-N: while PENDING, the approvers whose approvals count now (not one demoted since, nor one whose key that signed was revoked or replaced since); once decided, who had approved, the approver whose approval activated the key last (none for a FIRST_KEY or a recovery's grant)","type":"array","items":{"type":"string"}},"approvalsRequired":{"anyOf":[{"type":"number","description":"R20 M-of-N: while PENDING, the approvals that activate the key now (as the pending list's approvalsRequired); null otherwise"},{"type":"null"}]},"remindAt":{"anyOf":[{"type":"string","format":"date-time","description":"R20: while PENDING, when its approvers are (or were) reminded, by the org's policy now; null once decided"},{"type":"null"}]},"expiresAt":{"anyOf":[{"type":"string","format":"date-time","description":"R20: while PENDING, when it expires by the org's policy now (a policy change moves it at once); status reads EXPIRED from then on, whether or not the expiry is recorded yet, and the requester may request again. null once decided"},{"type":"null"}]},"requestedAt":{"type":"string","format":"date-time"},"history":{"description":"Every event of this request, oldest first","type":"array","items":{"$ref":"#/components/schemas/KeyRequestEventView"}}},"required":["requestId","agentId","status","publicKey","fingerprint","verificationCode","failedAttempts","approvals","requestedAt","history"]};
const schema19 = {"type":"object","properties":{"type":{"type":"string","example":"KeyRequested"},"at":{"type":"string","format":"date-time"},"by":{"type":"string","description":"Who caused it (agentId or \"operator\")"},"position":{"type":"string","description":"Log position (decimal)","example":"42"}},"required":["type","at","by","position"]};

function validate13(data, {instancePath="", parentData, parentDataProperty, rootData=data}={}){
let vErrors = null;
let errors = 0;
if(errors === 0){
if(data && typeof data == "object" && !Array.isArray(data)){
let missing0;
if(((((((((((data.requestId === undefined) && (missing0 = "requestId")) || ((data.agentId === undefined) && (missing0 = "agentId"))) || ((data.status === undefined) && (missing0 = "status"))) || ((data.publicKey === undefined) && (missing0 = "publicKey"))) || ((data.fingerprint === undefined) && (missing0 = "fingerprint"))) || ((data.verificationCode === undefined) && (missing0 = "verificationCode"))) || ((data.failedAttempts === undefined) && (missing0 = "failedAttempts"))) || ((data.approvals === undefined) && (missing0 = "approvals"))) || ((data.requestedAt === undefined) && (missing0 = "requestedAt"))) || ((data.history === undefined) && (missing0 = "history"))){
validate13.errors = [{instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: missing0},message:"must have required property '"+missing0+"'"}];
return false;
}
else {
if(data.requestId !== undefined){
const _errs1 = errors;
if(typeof data.requestId !== "string"){
validate13.errors = [{instancePath:instancePath+"/requestId",schemaPath:"#/properties/requestId/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
var valid0 = _errs1 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.agentId !== undefined){
const _errs3 = errors;
if(typeof data.agentId !== "string"){
validate13.errors = [{instancePath:instancePath+"/agentId",schemaPath:"#/properties/agentId/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
var valid0 = _errs3 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.displayName !== undefined){
const _errs5 = errors;
if(typeof data.displayName !== "string"){
validate13.errors = [{instancePath:instancePath+"/displayName",schemaPath:"#/properties/displayName/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
var valid0 = _errs5 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.email !== undefined){
const _errs7 = errors;
if(typeof data.email !== "string"){
validate13.errors = [{instancePath:instancePath+"/email",schemaPath:"#/properties/email/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
var valid0 = _errs7 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.status !== undefined){
let data4 = data.status;
const _errs9 = errors;
if(typeof data4 !== "string"){
validate13.errors = [{instancePath:instancePath+"/status",schemaPath:"#/properties/status/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
if(!(((((((data4 === "PENDING") || (data4 === "APPROVED")) || (data4 === "REJECTED")) || (data4 === "LOCKED")) || (data4 === "CANCELLED")) || (data4 === "REVOKED")) || (data4 === "EXPIRED"))){
validate13.errors = [{instancePath:instancePath+"/status",schemaPath:"#/properties/status/enum",keyword:"enum",params:{allowedValues: schema18.properties.status.enum},message:"must be equal to one of the allowed values"}];
return false;
}
var valid0 = _errs9 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.publicKey !== undefined){
const _errs11 = errors;
if(typeof data.publicKey !== "string"){
validate13.errors = [{instancePath:instancePath+"/publicKey",schemaPath:"#/properties/publicKey/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
var valid0 = _errs11 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.fingerprint !== undefined){
const _errs13 = errors;
if(typeof data.fingerprint !== "string"){
validate13.errors = [{instancePath:instancePath+"/fingerprint",schemaPath:"#/properties/fingerprint/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
var valid0 = _errs13 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.verificationCode !== undefined){
const _errs15 = errors;
if(typeof data.verificationCode !== "string"){
validate13.errors = [{instancePath:instancePath+"/verificationCode",schemaPath:"#/properties/verificationCode/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
var valid0 = _errs15 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.failedAttempts !== undefined){
const _errs17 = errors;
if(!(typeof data.failedAttempts == "number")){
validate13.errors = [{instancePath:instancePath+"/failedAttempts",schemaPath:"#/properties/failedAttempts/type",keyword:"type",params:{type: "number"},message:"must be number"}];
return false;
}
var valid0 = _errs17 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.replacesFingerprint !== undefined){
let data9 = data.replacesFingerprint;
const _errs19 = errors;
const _errs20 = errors;
let valid1 = false;
const _errs21 = errors;
if(typeof data9 !== "string"){
const err0 = {instancePath:instancePath+"/replacesFingerprint",schemaPath:"#/properties/replacesFingerprint/anyOf/0/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err0];
}
else {
vErrors.push(err0);
}
errors++;
}
var _valid0 = _errs21 === errors;
valid1 = valid1 || _valid0;
if(!valid1){
const _errs23 = errors;
if(data9 !== null){
const err1 = {instancePath:instancePath+"/replacesFingerprint",schemaPath:"#/properties/replacesFingerprint/anyOf/1/type",keyword:"type",params:{type: "null"},message:"must be null"};
if(vErrors === null){
vErrors = [err1];
}
else {
vErrors.push(err1);
}
errors++;
}
var _valid0 = _errs23 === errors;
valid1 = valid1 || _valid0;
}
if(!valid1){
const err2 = {instancePath:instancePath+"/replacesFingerprint",schemaPath:"#/properties/replacesFingerprint/anyOf",keyword:"anyOf",params:{},message:"must match a schema in anyOf"};
if(vErrors === null){
vErrors = [err2];
}
else {
vErrors.push(err2);
}
errors++;
validate13.errors = vErrors;
return false;
}
else {
errors = _errs20;
if(vErrors !== null){
if(_errs20){
vErrors.length = _errs20;
}
else {
vErrors = null;
}
}
}
var valid0 = _errs19 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.approvals !== undefined){
let data10 = data.approvals;
const _errs25 = errors;
if(errors === _errs25){
if(Array.isArray(data10)){
var valid2 = true;
const len0 = data10.length;
for(let i0=0; i0<len0; i0++){
const _errs27 = errors;
if(typeof data10[i0] !== "string"){
validate13.errors = [{instancePath:instancePath+"/approvals/" + i0,schemaPath:"#/properties/approvals/items/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
var valid2 = _errs27 === errors;
if(!valid2){
break;
}
}
}
else {
validate13.errors = [{instancePath:instancePath+"/approvals",schemaPath:"#/properties/approvals/type",keyword:"type",params:{type: "array"},message:"must be array"}];
return false;
}
}
var valid0 = _errs25 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.approvalsRequired !== undefined){
let data12 = data.approvalsRequired;
const _errs29 = errors;
const _errs30 = errors;
let valid3 = false;
const _errs31 = errors;
if(!(typeof data12 == "number")){
const err3 = {instancePath:instancePath+"/approvalsRequired",schemaPath:"#/properties/approvalsRequired/anyOf/0/type",keyword:"type",params:{type: "number"},message:"must be number"};
if(vErrors === null){
vErrors = [err3];
}
else {
vErrors.push(err3);
}
errors++;
}
var _valid1 = _errs31 === errors;
valid3 = valid3 || _valid1;
if(!valid3){
const _errs33 = errors;
if(data12 !== null){
const err4 = {instancePath:instancePath+"/approvalsRequired",schemaPath:"#/properties/approvalsRequired/anyOf/1/type",keyword:"type",params:{type: "null"},message:"must be null"};
if(vErrors === null){
vErrors = [err4];
}
else {
vErrors.push(err4);
}
errors++;
}
var _valid1 = _errs33 === errors;
valid3 = valid3 || _valid1;
}
if(!valid3){
const err5 = {instancePath:instancePath+"/approvalsRequired",schemaPath:"#/properties/approvalsRequired/anyOf",keyword:"anyOf",params:{},message:"must match a schema in anyOf"};
if(vErrors === null){
vErrors = [err5];
}
else {
vErrors.push(err5);
}
errors++;
validate13.errors = vErrors;
return false;
}
else {
errors = _errs30;
if(vErrors !== null){
if(_errs30){
vErrors.length = _errs30;
}
else {
vErrors = null;
}
}
}
var valid0 = _errs29 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.remindAt !== undefined){
let data13 = data.remindAt;
const _errs35 = errors;
const _errs36 = errors;
let valid4 = false;
const _errs37 = errors;
if(errors === _errs37){
if(errors === _errs37){
if(typeof data13 === "string"){
if(!(formats0.validate(data13))){
const err6 = {instancePath:instancePath+"/remindAt",schemaPath:"#/properties/remindAt/anyOf/0/format",keyword:"format",params:{format: "date-time"},message:"must match format \""+"date-time"+"\""};
if(vErrors === null){
vErrors = [err6];
}
else {
vErrors.push(err6);
}
errors++;
}
}
else {
const err7 = {instancePath:instancePath+"/remindAt",schemaPath:"#/properties/remindAt/anyOf/0/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err7];
}
else {
vErrors.push(err7);
}
errors++;
}
}
}
var _valid2 = _errs37 === errors;
valid4 = valid4 || _valid2;
if(!valid4){
const _errs39 = errors;
if(data13 !== null){
const err8 = {instancePath:instancePath+"/remindAt",schemaPath:"#/properties/remindAt/anyOf/1/type",keyword:"type",params:{type: "null"},message:"must be null"};
if(vErrors === null){
vErrors = [err8];
}
else {
vErrors.push(err8);
}
errors++;
}
var _valid2 = _errs39 === errors;
valid4 = valid4 || _valid2;
}
if(!valid4){
const err9 = {instancePath:instancePath+"/remindAt",schemaPath:"#/properties/remindAt/anyOf",keyword:"anyOf",params:{},message:"must match a schema in anyOf"};
if(vErrors === null){
vErrors = [err9];
}
else {
vErrors.push(err9);
}
errors++;
validate13.errors = vErrors;
return false;
}
else {
errors = _errs36;
if(vErrors !== null){
if(_errs36){
vErrors.length = _errs36;
}
else {
vErrors = null;
}
}
}
var valid0 = _errs35 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.expiresAt !== undefined){
let data14 = data.expiresAt;
const _errs41 = errors;
const _errs42 = errors;
let valid5 = false;
const _errs43 = errors;
if(errors === _errs43){
if(errors === _errs43){
if(typeof data14 === "string"){
if(!(formats0.validate(data14))){
const err10 = {instancePath:instancePath+"/expiresAt",schemaPath:"#/properties/expiresAt/anyOf/0/format",keyword:"format",params:{format: "date-time"},message:"must match format \""+"date-time"+"\""};
if(vErrors === null){
vErrors = [err10];
}
else {
vErrors.push(err10);
}
errors++;
}
}
else {
const err11 = {instancePath:instancePath+"/expiresAt",schemaPath:"#/properties/expiresAt/anyOf/0/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err11];
}
else {
vErrors.push(err11);
}
errors++;
}
}
}
var _valid3 = _errs43 === errors;
valid5 = valid5 || _valid3;
if(!valid5){
const _errs45 = errors;
if(data14 !== null){
const err12 = {instancePath:instancePath+"/expiresAt",schemaPath:"#/properties/expiresAt/anyOf/1/type",keyword:"type",params:{type: "null"},message:"must be null"};
if(vErrors === null){
vErrors = [err12];
}
else {
vErrors.push(err12);
}
errors++;
}
var _valid3 = _errs45 === errors;
valid5 = valid5 || _valid3;
}
if(!valid5){
const err13 = {instancePath:instancePath+"/expiresAt",schemaPath:"#/properties/expiresAt/anyOf",keyword:"anyOf",params:{},message:"must match a schema in anyOf"};
if(vErrors === null){
vErrors = [err13];
}
else {
vErrors.push(err13);
}
errors++;
validate13.errors = vErrors;
return false;
}
else {
errors = _errs42;
if(vErrors !== null){
if(_errs42){
vErrors.length = _errs42;
}
else {
vErrors = null;
}
}
}
var valid0 = _errs41 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.requestedAt !== undefined){
let data15 = data.requestedAt;
const _errs47 = errors;
if(errors === _errs47){
if(errors === _errs47){
if(typeof data15 === "string"){
if(!(formats0.validate(data15))){
validate13.errors = [{instancePath:instancePath+"/requestedAt",schemaPath:"#/properties/requestedAt/format",keyword:"format",params:{format: "date-time"},message:"must match format \""+"date-time"+"\""}];
return false;
}
}
else {
validate13.errors = [{instancePath:instancePath+"/requestedAt",schemaPath:"#/properties/requestedAt/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
}
}
var valid0 = _errs47 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.history !== undefined){
let data16 = data.history;
const _errs49 = errors;
if(errors === _errs49){
if(Array.isArray(data16)){
var valid6 = true;
const len1 = data16.length;
for(let i1=0; i1<len1; i1++){
let data17 = data16[i1];
const _errs51 = errors;
const _errs52 = errors;
if(errors === _errs52){
if(data17 && typeof data17 == "object" && !Array.isArray(data17)){
let missing1;
if(((((data17.type === undefined) && (missing1 = "type")) || ((data17.at === undefined) && (missing1 = "at"))) || ((data17.by === undefined) && (missing1 = "by"))) || ((data17.position === undefined) && (missing1 = "position"))){
validate13.errors = [{instancePath:instancePath+"/history/" + i1,schemaPath:"#/components/schemas/KeyRequestEventView/required",keyword:"required",params:{missingProperty: missing1},message:"must have required property '"+missing1+"'"}];
return false;
}
else {
if(data17.type !== undefined){
const _errs54 = errors;
if(typeof data17.type !== "string"){
validate13.errors = [{instancePath:instancePath+"/history/" + i1+"/type",schemaPath:"#/components/schemas/KeyRequestEventView/properties/type/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
var valid8 = _errs54 === errors;
}
else {
var valid8 = true;
}
if(valid8){
if(data17.at !== undefined){
let data19 = data17.at;
const _errs56 = errors;
if(errors === _errs56){
if(errors === _errs56){
if(typeof data19 === "string"){
if(!(formats0.validate(data19))){
validate13.errors = [{instancePath:instancePath+"/history/" + i1+"/at",schemaPath:"#/components/schemas/KeyRequestEventView/properties/at/format",keyword:"format",params:{format: "date-time"},message:"must match format \""+"date-time"+"\""}];
return false;
}
}
else {
validate13.errors = [{instancePath:instancePath+"/history/" + i1+"/at",schemaPath:"#/components/schemas/KeyRequestEventView/properties/at/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
}
}
var valid8 = _errs56 === errors;
}
else {
var valid8 = true;
}
if(valid8){
if(data17.by !== undefined){
const _errs58 = errors;
if(typeof data17.by !== "string"){
validate13.errors = [{instancePath:instancePath+"/history/" + i1+"/by",schemaPath:"#/components/schemas/KeyRequestEventView/properties/by/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
var valid8 = _errs58 === errors;
}
else {
var valid8 = true;
}
if(valid8){
if(data17.position !== undefined){
const _errs60 = errors;
if(typeof data17.position !== "string"){
validate13.errors = [{instancePath:instancePath+"/history/" + i1+"/position",schemaPath:"#/components/schemas/KeyRequestEventView/properties/position/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
var valid8 = _errs60 === errors;
}
else {
var valid8 = true;
}
}
}
}
}
}
else {
validate13.errors = [{instancePath:instancePath+"/history/" + i1,schemaPath:"#/components/schemas/KeyRequestEventView/type",keyword:"type",params:{type: "object"},message:"must be object"}];
return false;
}
}
var valid6 = _errs51 === errors;
if(!valid6){
break;
}
}
}
else {
validate13.errors = [{instancePath:instancePath+"/history",schemaPath:"#/properties/history/type",keyword:"type",params:{type: "array"},message:"must be array"}];
return false;
}
}
var valid0 = _errs49 === errors;
}
else {
var valid0 = true;
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
else {
validate13.errors = [{instancePath,schemaPath:"#/type",keyword:"type",params:{type: "object"},message:"must be object"}];
return false;
}
}
validate13.errors = vErrors;
return errors === 0;
}

exports["openapi.json#/components/schemas/KeyRequestDecidedView"] = validate14;
const schema20 = {"type":"object","properties":{"requestId":{"type":"string","example":"alice.kr_01J9Z3"},"status":{"type":"string","enum":["APPROVED","REJECTED","PENDING"],"description":"PENDING: the approval was recorded and the request waits for more (R20 M-of-N)"},"mode":{"type":"string","enum":["FIRST_KEY","APPROVAL","ROTATION","RECOVERY"],"description":"How an approved key became ACTIVE"},"approvals":{"description":"While PENDING: the approvers whose approvals count so far","type":"array","items":{"type":"string"}},"approvalsRequired":{"type":"number","description":"While PENDING: the threshold at this decision"},"position":{"type":"string","description":"Log position (decimal)","example":"42"}},"required":["requestId","status","position"]};

function validate14(data, {instancePath="", parentData, parentDataProperty, rootData=data}={}){
let vErrors = null;
let errors = 0;
if(errors === 0){
if(data && typeof data == "object" && !Array.isArray(data)){
let missing0;
if((((data.requestId === undefined) && (missing0 = "requestId")) || ((data.status === undefined) && (missing0 = "status"))) || ((data.position === undefined) && (missing0 = "position"))){
validate14.errors = [{instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: missing0},message:"must have required property '"+missing0+"'"}];
return false;
}
else {
if(data.requestId !== undefined){
const _errs1 = errors;
if(typeof data.requestId !== "string"){
validate14.errors = [{instancePath:instancePath+"/requestId",schemaPath:"#/properties/requestId/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
var valid0 = _errs1 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.status !== undefined){
let data1 = data.status;
const _errs3 = errors;
if(typeof data1 !== "string"){
validate14.errors = [{instancePath:instancePath+"/status",schemaPath:"#/properties/status/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
if(!(((data1 === "APPROVED") || (data1 === "REJECTED")) || (data1 === "PENDING"))){
validate14.errors = [{instancePath:instancePath+"/status",schemaPath:"#/properties/status/enum",keyword:"enum",params:{allowedValues: schema20.properties.status.enum},message:"must be equal to one of the allowed values"}];
return false;
}
var valid0 = _errs3 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.mode !== undefined){
let data2 = data.mode;
const _errs5 = errors;
if(typeof data2 !== "string"){
validate14.errors = [{instancePath:instancePath+"/mode",schemaPath:"#/properties/mode/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
if(!((((data2 === "FIRST_KEY") || (data2 === "APPROVAL")) || (data2 === "ROTATION")) || (data2 === "RECOVERY"))){
validate14.errors = [{instancePath:instancePath+"/mode",schemaPath:"#/properties/mode/enum",keyword:"enum",params:{allowedValues: schema20.properties.mode.enum},message:"must be equal to one of the allowed values"}];
return false;
}
var valid0 = _errs5 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.approvals !== undefined){
let data3 = data.approvals;
const _errs7 = errors;
if(errors === _errs7){
if(Array.isArray(data3)){
var valid1 = true;
const len0 = data3.length;
for(let i0=0; i0<len0; i0++){
const _errs9 = errors;
if(typeof data3[i0] !== "string"){
validate14.errors = [{instancePath:instancePath+"/approvals/" + i0,schemaPath:"#/properties/approvals/items/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
var valid1 = _errs9 === errors;
if(!valid1){
break;
}
}
}
else {
validate14.errors = [{instancePath:instancePath+"/approvals",schemaPath:"#/properties/approvals/type",keyword:"type",params:{type: "array"},message:"must be array"}];
return false;
}
}
var valid0 = _errs7 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.approvalsRequired !== undefined){
const _errs11 = errors;
if(!(typeof data.approvalsRequired == "number")){
validate14.errors = [{instancePath:instancePath+"/approvalsRequired",schemaPath:"#/properties/approvalsRequired/type",keyword:"type",params:{type: "number"},message:"must be number"}];
return false;
}
var valid0 = _errs11 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.position !== undefined){
const _errs13 = errors;
if(typeof data.position !== "string"){
validate14.errors = [{instancePath:instancePath+"/position",schemaPath:"#/properties/position/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
var valid0 = _errs13 === errors;
}
else {
var valid0 = true;
}
}
}
}
}
}
}
}
else {
validate14.errors = [{instancePath,schemaPath:"#/type",keyword:"type",params:{type: "object"},message:"must be object"}];
return false;
}
}
validate14.errors = vErrors;
return errors === 0;
}

exports["openapi.json#/components/schemas/PromptFrequencyView"] = validate15;
const schema21 = {"type":"object","properties":{"frequency":{"type":"string","enum":["EVERY_TASK","DAILY","WEEKLY"]},"position":{"type":"string","description":"Log position (decimal)","example":"42"}},"required":["frequency","position"]};

function validate15(data, {instancePath="", parentData, parentDataProperty, rootData=data}={}){
let vErrors = null;
let errors = 0;
if(errors === 0){
if(data && typeof data == "object" && !Array.isArray(data)){
let missing0;
if(((data.frequency === undefined) && (missing0 = "frequency")) || ((data.position === undefined) && (missing0 = "position"))){
validate15.errors = [{instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: missing0},message:"must have required property '"+missing0+"'"}];
return false;
}
else {
if(data.frequency !== undefined){
let data0 = data.frequency;
const _errs1 = errors;
if(typeof data0 !== "string"){
validate15.errors = [{instancePath:instancePath+"/frequency",schemaPath:"#/properties/frequency/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
if(!(((data0 === "EVERY_TASK") || (data0 === "DAILY")) || (data0 === "WEEKLY"))){
validate15.errors = [{instancePath:instancePath+"/frequency",schemaPath:"#/properties/frequency/enum",keyword:"enum",params:{allowedValues: schema21.properties.frequency.enum},message:"must be equal to one of the allowed values"}];
return false;
}
var valid0 = _errs1 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.position !== undefined){
const _errs3 = errors;
if(typeof data.position !== "string"){
validate15.errors = [{instancePath:instancePath+"/position",schemaPath:"#/properties/position/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
var valid0 = _errs3 === errors;
}
else {
var valid0 = true;
}
}
}
}
else {
validate15.errors = [{instancePath,schemaPath:"#/type",keyword:"type",params:{type: "object"},message:"must be object"}];
return false;
}
}
validate15.errors = vErrors;
return errors === 0;
}

exports["openapi.json#/components/schemas/TaskAuthorizationView"] = validate16;
const schema22 = {"type":"object","properties":{"authorized":{"type":"boolean","enum":[true]},"method":{"type":"string","enum":["SIGNATURE","REMEMBERED"],"description":"A fresh signature, or remembered by the prompt frequency"},"validUntil":{"type":"string","format":"date-time","description":"End of the remembered window (the task time for EVERY_TASK)"},"position":{"type":"string","description":"Log position (decimal)","example":"42"}},"required":["authorized","method","validUntil","position"]};

function validate16(data, {instancePath="", parentData, parentDataProperty, rootData=data}={}){
let vErrors = null;
let errors = 0;
if(errors === 0){
if(data && typeof data == "object" && !Array.isArray(data)){
let missing0;
if(((((data.authorized === undefined) && (missing0 = "authorized")) || ((data.method === undefined) && (missing0 = "method"))) || ((data.validUntil === undefined) && (missing0 = "validUntil"))) || ((data.position === undefined) && (missing0 = "position"))){
validate16.errors = [{instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: missing0},message:"must have required property '"+missing0+"'"}];
return false;
}
else {
if(data.authorized !== undefined){
let data0 = data.authorized;
const _errs1 = errors;
if(typeof data0 !== "boolean"){
validate16.errors = [{instancePath:instancePath+"/authorized",schemaPath:"#/properties/authorized/type",keyword:"type",params:{type: "boolean"},message:"must be boolean"}];
return false;
}
if(!(data0 === true)){
validate16.errors = [{instancePath:instancePath+"/authorized",schemaPath:"#/properties/authorized/enum",keyword:"enum",params:{allowedValues: schema22.properties.authorized.enum},message:"must be equal to one of the allowed values"}];
return false;
}
var valid0 = _errs1 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.method !== undefined){
let data1 = data.method;
const _errs3 = errors;
if(typeof data1 !== "string"){
validate16.errors = [{instancePath:instancePath+"/method",schemaPath:"#/properties/method/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
if(!((data1 === "SIGNATURE") || (data1 === "REMEMBERED"))){
validate16.errors = [{instancePath:instancePath+"/method",schemaPath:"#/properties/method/enum",keyword:"enum",params:{allowedValues: schema22.properties.method.enum},message:"must be equal to one of the allowed values"}];
return false;
}
var valid0 = _errs3 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.validUntil !== undefined){
let data2 = data.validUntil;
const _errs5 = errors;
if(errors === _errs5){
if(errors === _errs5){
if(typeof data2 === "string"){
if(!(formats0.validate(data2))){
validate16.errors = [{instancePath:instancePath+"/validUntil",schemaPath:"#/properties/validUntil/format",keyword:"format",params:{format: "date-time"},message:"must match format \""+"date-time"+"\""}];
return false;
}
}
else {
validate16.errors = [{instancePath:instancePath+"/validUntil",schemaPath:"#/properties/validUntil/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
}
}
var valid0 = _errs5 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.position !== undefined){
const _errs7 = errors;
if(typeof data.position !== "string"){
validate16.errors = [{instancePath:instancePath+"/position",schemaPath:"#/properties/position/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
var valid0 = _errs7 === errors;
}
else {
var valid0 = true;
}
}
}
}
}
}
else {
validate16.errors = [{instancePath,schemaPath:"#/type",keyword:"type",params:{type: "object"},message:"must be object"}];
return false;
}
}
validate16.errors = vErrors;
return errors === 0;
}

exports["openapi.json#/components/schemas/PromptRequiredProblem"] = validate17;
const schema23 = {"type":"object","properties":{"type":{"type":"string","example":"urn:ztkeys:problem:invalid-input"},"title":{"type":"string","example":"Bad Request"},"status":{"type":"number","example":400},"detail":{"type":"string","example":"The request is invalid."},"code":{"type":"string","description":"Stable machine-readable code","example":"INVALID_INPUT"},"errors":{"description":"Field by field, for invalid input","type":"array","items":{"$ref":"#/components/schemas/FieldProblems"}},"position":{"type":"string","description":"Log position of an audited refusal","example":"42"},"promptRequired":{"type":"boolean","description":"true: get a SENSITIVE_TASK challenge, sign it and send it; false: no ACTIVE key","example":true}},"required":["type","title","status","detail","code","promptRequired"],"additionalProperties":true};

function validate17(data, {instancePath="", parentData, parentDataProperty, rootData=data}={}){
let vErrors = null;
let errors = 0;
if(errors === 0){
if(data && typeof data == "object" && !Array.isArray(data)){
let missing0;
if(((((((data.type === undefined) && (missing0 = "type")) || ((data.title === undefined) && (missing0 = "title"))) || ((data.status === undefined) && (missing0 = "status"))) || ((data.detail === undefined) && (missing0 = "detail"))) || ((data.code === undefined) && (missing0 = "code"))) || ((data.promptRequired === undefined) && (missing0 = "promptRequired"))){
validate17.errors = [{instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: missing0},message:"must have required property '"+missing0+"'"}];
return false;
}
else {
if(data.type !== undefined){
const _errs2 = errors;
if(typeof data.type !== "string"){
validate17.errors = [{instancePath:instancePath+"/type",schemaPath:"#/properties/type/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
var valid0 = _errs2 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.title !== undefined){
const _errs4 = errors;
if(typeof data.title !== "string"){
validate17.errors = [{instancePath:instancePath+"/title",schemaPath:"#/properties/title/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
var valid0 = _errs4 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.status !== undefined){
const _errs6 = errors;
if(!(typeof data.status == "number")){
validate17.errors = [{instancePath:instancePath+"/status",schemaPath:"#/properties/status/type",keyword:"type",params:{type: "number"},message:"must be number"}];
return false;
}
var valid0 = _errs6 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.detail !== undefined){
const _errs8 = errors;
if(typeof data.detail !== "string"){
validate17.errors = [{instancePath:instancePath+"/detail",schemaPath:"#/properties/detail/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
var valid0 = _errs8 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.code !== undefined){
const _errs10 = errors;
if(typeof data.code !== "string"){
validate17.errors = [{instancePath:instancePath+"/code",schemaPath:"#/properties/code/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
var valid0 = _errs10 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.errors !== undefined){
let data5 = data.errors;
const _errs12 = errors;
if(errors === _errs12){
if(Array.isArray(data5)){
var valid1 = true;
const len0 = data5.length;
for(let i0=0; i0<len0; i0++){
let data6 = data5[i0];
const _errs14 = errors;
const _errs15 = errors;
if(errors === _errs15){
if(data6 && typeof data6 == "object" && !Array.isArray(data6)){
let missing1;
if(((data6.field === undefined) && (missing1 = "field")) || ((data6.problems === undefined) && (missing1 = "problems"))){
validate17.errors = [{instancePath:instancePath+"/errors/" + i0,schemaPath:"#/components/schemas/FieldProblems/required",keyword:"required",params:{missingProperty: missing1},message:"must have required property '"+missing1+"'"}];
return false;
}
else {
if(data6.field !== undefined){
const _errs17 = errors;
if(typeof data6.field !== "string"){
validate17.errors = [{instancePath:instancePath+"/errors/" + i0+"/field",schemaPath:"#/components/schemas/FieldProblems/properties/field/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
var valid3 = _errs17 === errors;
}
else {
var valid3 = true;
}
if(valid3){
if(data6.problems !== undefined){
let data8 = data6.problems;
const _errs19 = errors;
if(errors === _errs19){
if(Array.isArray(data8)){
var valid4 = true;
const len1 = data8.length;
for(let i1=0; i1<len1; i1++){
const _errs21 = errors;
if(typeof data8[i1] !== "string"){
validate17.errors = [{instancePath:instancePath+"/errors/" + i0+"/problems/" + i1,schemaPath:"#/components/schemas/FieldProblems/properties/problems/items/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
var valid4 = _errs21 === errors;
if(!valid4){
break;
}
}
}
else {
validate17.errors = [{instancePath:instancePath+"/errors/" + i0+"/problems",schemaPath:"#/components/schemas/FieldProblems/properties/problems/type",keyword:"type",params:{type: "array"},message:"must be array"}];
return false;
}
}
var valid3 = _errs19 === errors;
}
else {
var valid3 = true;
}
}
}
}
else {
validate17.errors = [{instancePath:instancePath+"/errors/" + i0,schemaPath:"#/components/schemas/FieldProblems/type",keyword:"type",params:{type: "object"},message:"must be object"}];
return false;
}
}
var valid1 = _errs14 === errors;
if(!valid1){
break;
}
}
}
else {
validate17.errors = [{instancePath:instancePath+"/errors",schemaPath:"#/properties/errors/type",keyword:"type",params:{type: "array"},message:"must be array"}];
return false;
}
}
var valid0 = _errs12 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.position !== undefined){
const _errs23 = errors;
if(typeof data.position !== "string"){
validate17.errors = [{instancePath:instancePath+"/position",schemaPath:"#/properties/position/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
var valid0 = _errs23 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.promptRequired !== undefined){
const _errs25 = errors;
if(typeof data.promptRequired !== "boolean"){
validate17.errors = [{instancePath:instancePath+"/promptRequired",schemaPath:"#/properties/promptRequired/type",keyword:"type",params:{type: "boolean"},message:"must be boolean"}];
return false;
}
var valid0 = _errs25 === errors;
}
else {
var valid0 = true;
}
}
}
}
}
}
}
}
}
}
else {
validate17.errors = [{instancePath,schemaPath:"#/type",keyword:"type",params:{type: "object"},message:"must be object"}];
return false;
}
}
validate17.errors = vErrors;
return errors === 0;
}

exports["openapi.json#/components/schemas/ZeroTrustStatusView"] = validate18;
const schema25 = {"type":"object","properties":{"agents":{"type":"array","items":{"$ref":"#/components/schemas/AgentStatusView"}},"totals":{"description":"Over the whole org, whatever the filters","allOf":[{"$ref":"#/components/schemas/StatusTotalsView"}]},"nextCursor":{"type":"string","description":"Pass it back as `cursor` for the next page; absent on the last page"}},"required":["agents","totals"]};
const schema30 = {"type":"object","properties":{"agents":{"type":"number"},"withActiveKey":{"type":"number"},"pending":{"type":"number"},"none":{"type":"number"},"byKeyStatus":{"type":"object","additionalProperties":{"type":"integer"},"description":"Agents by keyStatus"}},"required":["agents","withActiveKey","pending","none","byKeyStatus"]};
const schema26 = {"type":"object","properties":{"agentId":{"type":"string","example":"alice"},"email":{"type":"string","example":"alice@example.com"},"displayName":{"type":"string","example":"Alice"},"role":{"type":"string","enum":["MEMBER","ADMIN","SUPER_ADMIN","AUDITOR"]},"keyStatus":{"type":"string","enum":["NONE","PENDING","ACTIVE","REJECTED","LOCKED","EXPIRED","REVOKED"]},"fingerprint":{"anyOf":[{"type":"string","description":"Of the ACTIVE key"},{"type":"null"}]},"approvedBy":{"anyOf":[{"type":"string","description":"Of the ACTIVE key; null for FIRST_KEY and RECOVERY: no approver signed"},{"type":"null"}]},"approvedAt":{"anyOf":[{"type":"string","format":"date-time"},{"type":"null"}]},"activeKey":{"anyOf":[{"type":"object","allOf":[{"$ref":"#/components/schemas/ActiveKeyView"}]},{"type":"null"}]},"lastRequest":{"anyOf":[{"type":"object","allOf":[{"$ref":"#/components/schemas/LastRequestView"}]},{"type":"null"}]},"lastRevocation":{"anyOf":[{"type":"object","allOf":[{"$ref":"#/components/schemas/RevocationView"}]},{"type":"null"}]},"promptFrequencies":{"type":"object","additionalProperties":{"type":"string","enum":["EVERY_TASK","DAILY","WEEKLY"]},"description":"The browsers that remember a signature (DAILY, WEEKLY), by browserId: a browser not listed (never set, logged out of, set back to EVERY_TASK, or reset by a change of the key) prompts EVERY_TASK"},"addedAt":{"type":"string","format":"date-time"},"updatedAt":{"type":"string","format":"date-time"}},"required":["agentId","email","displayName","role","keyStatus","fingerprint","approvedBy","approvedAt","activeKey","lastRequest","lastRevocation","promptFrequencies","addedAt","updatedAt"]};
const schema27 = {"type":"object","properties":{"requestId":{"type":"string"},"publicKey":{"type":"string"},"fingerprint":{"type":"string"},"mode":{"type":"string","enum":["FIRST_KEY","APPROVAL","ROTATION","RECOVERY"]},"approvedBy":{"anyOf":[{"type":"string","description":"null for FIRST_KEY and RECOVERY: no approver signed"},{"type":"null"}]},"approvedAt":{"type":"string","format":"date-time"}},"required":["requestId","publicKey","fingerprint","mode","approvedBy","approvedAt"]};
const schema28 = {"type":"object","properties":{"requestId":{"type":"string"},"fingerprint":{"type":"string"},"status":{"type":"string","enum":["PENDING","APPROVED","REJECTED","LOCKED","CANCELLED","EXPIRED"]},"requestedAt":{"type":"string","format":"date-time"},"failedAttempts":{"type":"number"},"decidedAt":{"anyOf":[{"type":"string","format":"date-time"},{"type":"null"}]}},"required":["requestId","fingerprint","status","requestedAt","failedAttempts","decidedAt"]};
const schema29 = {"type":"object","properties":{"requestId":{"type":"string"},"fingerprint":{"type":"string"},"reasonCode":{"type":"string","enum":["REPLACED","AGENT_REMOVED","REVOKED_BY_ADMIN","ROLE_CHANGED_TO_AUDITOR"]},"reason":{"type":"string"},"revokedBy":{"type":"string"},"revokedAt":{"type":"string","format":"date-time"}},"required":["requestId","fingerprint","reasonCode","reason","revokedBy","revokedAt"]};

function validate19(data, {instancePath="", parentData, parentDataProperty, rootData=data}={}){
let vErrors = null;
let errors = 0;
if(errors === 0){
if(data && typeof data == "object" && !Array.isArray(data)){
let missing0;
if(((((((((((((((data.agentId === undefined) && (missing0 = "agentId")) || ((data.email === undefined) && (missing0 = "email"))) || ((data.displayName === undefined) && (missing0 = "displayName"))) || ((data.role === undefined) && (missing0 = "role"))) || ((data.keyStatus === undefined) && (missing0 = "keyStatus"))) || ((data.fingerprint === undefined) && (missing0 = "fingerprint"))) || ((data.approvedBy === undefined) && (missing0 = "approvedBy"))) || ((data.approvedAt === undefined) && (missing0 = "approvedAt"))) || ((data.activeKey === undefined) && (missing0 = "activeKey"))) || ((data.lastRequest === undefined) && (missing0 = "lastRequest"))) || ((data.lastRevocation === undefined) && (missing0 = "lastRevocation"))) || ((data.promptFrequencies === undefined) && (missing0 = "promptFrequencies"))) || ((data.addedAt === undefined) && (missing0 = "addedAt"))) || ((data.updatedAt === undefined) && (missing0 = "updatedAt"))){
validate19.errors = [{instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: missing0},message:"must have required property '"+missing0+"'"}];
return false;
}
else {
if(data.agentId !== undefined){
const _errs1 = errors;
if(typeof data.agentId !== "string"){
validate19.errors = [{instancePath:instancePath+"/agentId",schemaPath:"#/properties/agentId/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
var valid0 = _errs1 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.email !== undefined){
const _errs3 = errors;
if(typeof data.email !== "string"){
validate19.errors = [{instancePath:instancePath+"/email",schemaPath:"#/properties/email/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
var valid0 = _errs3 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.displayName !== undefined){
const _errs5 = errors;
if(typeof data.displayName !== "string"){
validate19.errors = [{instancePath:instancePath+"/displayName",schemaPath:"#/properties/displayName/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
var valid0 = _errs5 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.role !== undefined){
let data3 = data.role;
const _errs7 = errors;
if(typeof data3 !== "string"){
validate19.errors = [{instancePath:instancePath+"/role",schemaPath:"#/properties/role/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
if(!((((data3 === "MEMBER") || (data3 === "ADMIN")) || (data3 === "SUPER_ADMIN")) || (data3 === "AUDITOR"))){
validate19.errors = [{instancePath:instancePath+"/role",schemaPath:"#/properties/role/enum",keyword:"enum",params:{allowedValues: schema26.properties.role.enum},message:"must be equal to one of the allowed values"}];
return false;
}
var valid0 = _errs7 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.keyStatus !== undefined){
let data4 = data.keyStatus;
const _errs9 = errors;
if(typeof data4 !== "string"){
validate19.errors = [{instancePath:instancePath+"/keyStatus",schemaPath:"#/properties/keyStatus/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
if(!(((((((data4 === "NONE") || (data4 === "PENDING")) || (data4 === "ACTIVE")) || (data4 === "REJECTED")) || (data4 === "LOCKED")) || (data4 === "EXPIRED")) || (data4 === "REVOKED"))){
validate19.errors = [{instancePath:instancePath+"/keyStatus",schemaPath:"#/properties/keyStatus/enum",keyword:"enum",params:{allowedValues: schema26.properties.keyStatus.enum},message:"must be equal to one of the allowed values"}];
return false;
}
var valid0 = _errs9 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.fingerprint !== undefined){
let data5 = data.fingerprint;
const _errs11 = errors;
const _errs12 = errors;
let valid1 = false;
const _errs13 = errors;
if(typeof data5 !== "string"){
const err0 = {instancePath:instancePath+"/fingerprint",schemaPath:"#/properties/fingerprint/anyOf/0/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err0];
}
else {
vErrors.push(err0);
}
errors++;
}
var _valid0 = _errs13 === errors;
valid1 = valid1 || _valid0;
if(!valid1){
const _errs15 = errors;
if(data5 !== null){
const err1 = {instancePath:instancePath+"/fingerprint",schemaPath:"#/properties/fingerprint/anyOf/1/type",keyword:"type",params:{type: "null"},message:"must be null"};
if(vErrors === null){
vErrors = [err1];
}
else {
vErrors.push(err1);
}
errors++;
}
var _valid0 = _errs15 === errors;
valid1 = valid1 || _valid0;
}
if(!valid1){
const err2 = {instancePath:instancePath+"/fingerprint",schemaPath:"#/properties/fingerprint/anyOf",keyword:"anyOf",params:{},message:"must match a schema in anyOf"};
if(vErrors === null){
vErrors = [err2];
}
else {
vErrors.push(err2);
}
errors++;
validate19.errors = vErrors;
return false;
}
else {
errors = _errs12;
if(vErrors !== null){
if(_errs12){
vErrors.length = _errs12;
}
else {
vErrors = null;
}
}
}
var valid0 = _errs11 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.approvedBy !== undefined){
let data6 = data.approvedBy;
const _errs17 = errors;
const _errs18 = errors;
let valid2 = false;
const _errs19 = errors;
if(typeof data6 !== "string"){
const err3 = {instancePath:instancePath+"/approvedBy",schemaPath:"#/properties/approvedBy/anyOf/0/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err3];
}
else {
vErrors.push(err3);
}
errors++;
}
var _valid1 = _errs19 === errors;
valid2 = valid2 || _valid1;
if(!valid2){
const _errs21 = errors;
if(data6 !== null){
const err4 = {instancePath:instancePath+"/approvedBy",schemaPath:"#/properties/approvedBy/anyOf/1/type",keyword:"type",params:{type: "null"},message:"must be null"};
if(vErrors === null){
vErrors = [err4];
}
else {
vErrors.push(err4);
}
errors++;
}
var _valid1 = _errs21 === errors;
valid2 = valid2 || _valid1;
}
if(!valid2){
const err5 = {instancePath:instancePath+"/approvedBy",schemaPath:"#/properties/approvedBy/anyOf",keyword:"anyOf",params:{},message:"must match a schema in anyOf"};
if(vErrors === null){
vErrors = [err5];
}
else {
vErrors.push(err5);
}
errors++;
validate19.errors = vErrors;
return false;
}
else {
errors = _errs18;
if(vErrors !== null){
if(_errs18){
vErrors.length = _errs18;
}
else {
vErrors = null;
}
}
}
var valid0 = _errs17 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.approvedAt !== undefined){
let data7 = data.approvedAt;
const _errs23 = errors;
const _errs24 = errors;
let valid3 = false;
const _errs25 = errors;
if(errors === _errs25){
if(errors === _errs25){
if(typeof data7 === "string"){
if(!(formats0.validate(data7))){
const err6 = {instancePath:instancePath+"/approvedAt",schemaPath:"#/properties/approvedAt/anyOf/0/format",keyword:"format",params:{format: "date-time"},message:"must match format \""+"date-time"+"\""};
if(vErrors === null){
vErrors = [err6];
}
else {
vErrors.push(err6);
}
errors++;
}
}
else {
const err7 = {instancePath:instancePath+"/approvedAt",schemaPath:"#/properties/approvedAt/anyOf/0/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err7];
}
else {
vErrors.push(err7);
}
errors++;
}
}
}
var _valid2 = _errs25 === errors;
valid3 = valid3 || _valid2;
if(!valid3){
const _errs27 = errors;
if(data7 !== null){
const err8 = {instancePath:instancePath+"/approvedAt",schemaPath:"#/properties/approvedAt/anyOf/1/type",keyword:"type",params:{type: "null"},message:"must be null"};
if(vErrors === null){
vErrors = [err8];
}
else {
vErrors.push(err8);
}
errors++;
}
var _valid2 = _errs27 === errors;
valid3 = valid3 || _valid2;
}
if(!valid3){
const err9 = {instancePath:instancePath+"/approvedAt",schemaPath:"#/properties/approvedAt/anyOf",keyword:"anyOf",params:{},message:"must match a schema in anyOf"};
if(vErrors === null){
vErrors = [err9];
}
else {
vErrors.push(err9);
}
errors++;
validate19.errors = vErrors;
return false;
}
else {
errors = _errs24;
if(vErrors !== null){
if(_errs24){
vErrors.length = _errs24;
}
else {
vErrors = null;
}
}
}
var valid0 = _errs23 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.activeKey !== undefined){
let data8 = data.activeKey;
const _errs29 = errors;
const _errs30 = errors;
let valid4 = false;
const _errs31 = errors;
if(!(data8 && typeof data8 == "object" && !Array.isArray(data8))){
const err10 = {instancePath:instancePath+"/activeKey",schemaPath:"#/properties/activeKey/anyOf/0/type",keyword:"type",params:{type: "object"},message:"must be object"};
if(vErrors === null){
vErrors = [err10];
}
else {
vErrors.push(err10);
}
errors++;
}
const _errs34 = errors;
if(errors === _errs34){
if(data8 && typeof data8 == "object" && !Array.isArray(data8)){
let missing1;
if(((((((data8.requestId === undefined) && (missing1 = "requestId")) || ((data8.publicKey === undefined) && (missing1 = "publicKey"))) || ((data8.fingerprint === undefined) && (missing1 = "fingerprint"))) || ((data8.mode === undefined) && (missing1 = "mode"))) || ((data8.approvedBy === undefined) && (missing1 = "approvedBy"))) || ((data8.approvedAt === undefined) && (missing1 = "approvedAt"))){
const err11 = {instancePath:instancePath+"/activeKey",schemaPath:"#/components/schemas/ActiveKeyView/required",keyword:"required",params:{missingProperty: missing1},message:"must have required property '"+missing1+"'"};
if(vErrors === null){
vErrors = [err11];
}
else {
vErrors.push(err11);
}
errors++;
}
else {
if(data8.requestId !== undefined){
const _errs36 = errors;
if(typeof data8.requestId !== "string"){
const err12 = {instancePath:instancePath+"/activeKey/requestId",schemaPath:"#/components/schemas/ActiveKeyView/properties/requestId/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err12];
}
else {
vErrors.push(err12);
}
errors++;
}
var valid7 = _errs36 === errors;
}
else {
var valid7 = true;
}
if(valid7){
if(data8.publicKey !== undefined){
const _errs38 = errors;
if(typeof data8.publicKey !== "string"){
const err13 = {instancePath:instancePath+"/activeKey/publicKey",schemaPath:"#/components/schemas/ActiveKeyView/properties/publicKey/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err13];
}
else {
vErrors.push(err13);
}
errors++;
}
var valid7 = _errs38 === errors;
}
else {
var valid7 = true;
}
if(valid7){
if(data8.fingerprint !== undefined){
const _errs40 = errors;
if(typeof data8.fingerprint !== "string"){
const err14 = {instancePath:instancePath+"/activeKey/fingerprint",schemaPath:"#/components/schemas/ActiveKeyView/properties/fingerprint/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err14];
}
else {
vErrors.push(err14);
}
errors++;
}
var valid7 = _errs40 === errors;
}
else {
var valid7 = true;
}
if(valid7){
if(data8.mode !== undefined){
let data12 = data8.mode;
const _errs42 = errors;
if(typeof data12 !== "string"){
const err15 = {instancePath:instancePath+"/activeKey/mode",schemaPath:"#/components/schemas/ActiveKeyView/properties/mode/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err15];
}
else {
vErrors.push(err15);
}
errors++;
}
if(!((((data12 === "FIRST_KEY") || (data12 === "APPROVAL")) || (data12 === "ROTATION")) || (data12 === "RECOVERY"))){
const err16 = {instancePath:instancePath+"/activeKey/mode",schemaPath:"#/components/schemas/ActiveKeyView/properties/mode/enum",keyword:"enum",params:{allowedValues: schema27.properties.mode.enum},message:"must be equal to one of the allowed values"};
if(vErrors === null){
vErrors = [err16];
}
else {
vErrors.push(err16);
}
errors++;
}
var valid7 = _errs42 === errors;
}
else {
var valid7 = true;
}
if(valid7){
if(data8.approvedBy !== undefined){
let data13 = data8.approvedBy;
const _errs44 = errors;
const _errs45 = errors;
let valid8 = false;
const _errs46 = errors;
if(typeof data13 !== "string"){
const err17 = {instancePath:instancePath+"/activeKey/approvedBy",schemaPath:"#/components/schemas/ActiveKeyView/properties/approvedBy/anyOf/0/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err17];
}
else {
vErrors.push(err17);
}
errors++;
}
var _valid4 = _errs46 === errors;
valid8 = valid8 || _valid4;
if(!valid8){
const _errs48 = errors;
if(data13 !== null){
const err18 = {instancePath:instancePath+"/activeKey/approvedBy",schemaPath:"#/components/schemas/ActiveKeyView/properties/approvedBy/anyOf/1/type",keyword:"type",params:{type: "null"},message:"must be null"};
if(vErrors === null){
vErrors = [err18];
}
else {
vErrors.push(err18);
}
errors++;
}
var _valid4 = _errs48 === errors;
valid8 = valid8 || _valid4;
}
if(!valid8){
const err19 = {instancePath:instancePath+"/activeKey/approvedBy",schemaPath:"#/components/schemas/ActiveKeyView/properties/approvedBy/anyOf",keyword:"anyOf",params:{},message:"must match a schema in anyOf"};
if(vErrors === null){
vErrors = [err19];
}
else {
vErrors.push(err19);
}
errors++;
}
else {
errors = _errs45;
if(vErrors !== null){
if(_errs45){
vErrors.length = _errs45;
}
else {
vErrors = null;
}
}
}
var valid7 = _errs44 === errors;
}
else {
var valid7 = true;
}
if(valid7){
if(data8.approvedAt !== undefined){
let data14 = data8.approvedAt;
const _errs50 = errors;
if(errors === _errs50){
if(errors === _errs50){
if(typeof data14 === "string"){
if(!(formats0.validate(data14))){
const err20 = {instancePath:instancePath+"/activeKey/approvedAt",schemaPath:"#/components/schemas/ActiveKeyView/properties/approvedAt/format",keyword:"format",params:{format: "date-time"},message:"must match format \""+"date-time"+"\""};
if(vErrors === null){
vErrors = [err20];
}
else {
vErrors.push(err20);
}
errors++;
}
}
else {
const err21 = {instancePath:instancePath+"/activeKey/approvedAt",schemaPath:"#/components/schemas/ActiveKeyView/properties/approvedAt/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err21];
}
else {
vErrors.push(err21);
}
errors++;
}
}
}
var valid7 = _errs50 === errors;
}
else {
var valid7 = true;
}
}
}
}
}
}
}
}
else {
const err22 = {instancePath:instancePath+"/activeKey",schemaPath:"#/components/schemas/ActiveKeyView/type",keyword:"type",params:{type: "object"},message:"must be object"};
if(vErrors === null){
vErrors = [err22];
}
else {
vErrors.push(err22);
}
errors++;
}
}
var _valid3 = _errs31 === errors;
valid4 = valid4 || _valid3;
if(!valid4){
const _errs52 = errors;
if(data8 !== null){
const err23 = {instancePath:instancePath+"/activeKey",schemaPath:"#/properties/activeKey/anyOf/1/type",keyword:"type",params:{type: "null"},message:"must be null"};
if(vErrors === null){
vErrors = [err23];
}
else {
vErrors.push(err23);
}
errors++;
}
var _valid3 = _errs52 === errors;
valid4 = valid4 || _valid3;
}
if(!valid4){
const err24 = {instancePath:instancePath+"/activeKey",schemaPath:"#/properties/activeKey/anyOf",keyword:"anyOf",params:{},message:"must match a schema in anyOf"};
if(vErrors === null){
vErrors = [err24];
}
else {
vErrors.push(err24);
}
errors++;
validate19.errors = vErrors;
return false;
}
else {
errors = _errs30;
if(vErrors !== null){
if(_errs30){
vErrors.length = _errs30;
}
else {
vErrors = null;
}
}
}
var valid0 = _errs29 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.lastRequest !== undefined){
let data15 = data.lastRequest;
const _errs54 = errors;
const _errs55 = errors;
let valid9 = false;
const _errs56 = errors;
if(!(data15 && typeof data15 == "object" && !Array.isArray(data15))){
const err25 = {instancePath:instancePath+"/lastRequest",schemaPath:"#/properties/lastRequest/anyOf/0/type",keyword:"type",params:{type: "object"},message:"must be object"};
if(vErrors === null){
vErrors = [err25];
}
else {
vErrors.push(err25);
}
errors++;
}
const _errs59 = errors;
if(errors === _errs59){
if(data15 && typeof data15 == "object" && !Array.isArray(data15)){
let missing2;
if(((((((data15.requestId === undefined) && (missing2 = "requestId")) || ((data15.fingerprint === undefined) && (missing2 = "fingerprint"))) || ((data15.status === undefined) && (missing2 = "status"))) || ((data15.requestedAt === undefined) && (missing2 = "requestedAt"))) || ((data15.failedAttempts === undefined) && (missing2 = "failedAttempts"))) || ((data15.decidedAt === undefined) && (missing2 = "decidedAt"))){
const err26 = {instancePath:instancePath+"/lastRequest",schemaPath:"#/components/schemas/LastRequestView/required",keyword:"required",params:{missingProperty: missing2},message:"must have required property '"+missing2+"'"};
if(vErrors === null){
vErrors = [err26];
}
else {
vErrors.push(err26);
}
errors++;
}
else {
if(data15.requestId !== undefined){
const _errs61 = errors;
if(typeof data15.requestId !== "string"){
const err27 = {instancePath:instancePath+"/lastRequest/requestId",schemaPath:"#/components/schemas/LastRequestView/properties/requestId/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err27];
}
else {
vErrors.push(err27);
}
errors++;
}
var valid12 = _errs61 === errors;
}
else {
var valid12 = true;
}
if(valid12){
if(data15.fingerprint !== undefined){
const _errs63 = errors;
if(typeof data15.fingerprint !== "string"){
const err28 = {instancePath:instancePath+"/lastRequest/fingerprint",schemaPath:"#/components/schemas/LastRequestView/properties/fingerprint/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err28];
}
else {
vErrors.push(err28);
}
errors++;
}
var valid12 = _errs63 === errors;
}
else {
var valid12 = true;
}
if(valid12){
if(data15.status !== undefined){
let data18 = data15.status;
const _errs65 = errors;
if(typeof data18 !== "string"){
const err29 = {instancePath:instancePath+"/lastRequest/status",schemaPath:"#/components/schemas/LastRequestView/properties/status/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err29];
}
else {
vErrors.push(err29);
}
errors++;
}
if(!((((((data18 === "PENDING") || (data18 === "APPROVED")) || (data18 === "REJECTED")) || (data18 === "LOCKED")) || (data18 === "CANCELLED")) || (data18 === "EXPIRED"))){
const err30 = {instancePath:instancePath+"/lastRequest/status",schemaPath:"#/components/schemas/LastRequestView/properties/status/enum",keyword:"enum",params:{allowedValues: schema28.properties.status.enum},message:"must be equal to one of the allowed values"};
if(vErrors === null){
vErrors = [err30];
}
else {
vErrors.push(err30);
}
errors++;
}
var valid12 = _errs65 === errors;
}
else {
var valid12 = true;
}
if(valid12){
if(data15.requestedAt !== undefined){
let data19 = data15.requestedAt;
const _errs67 = errors;
if(errors === _errs67){
if(errors === _errs67){
if(typeof data19 === "string"){
if(!(formats0.validate(data19))){
const err31 = {instancePath:instancePath+"/lastRequest/requestedAt",schemaPath:"#/components/schemas/LastRequestView/properties/requestedAt/format",keyword:"format",params:{format: "date-time"},message:"must match format \""+"date-time"+"\""};
if(vErrors === null){
vErrors = [err31];
}
else {
vErrors.push(err31);
}
errors++;
}
}
else {
const err32 = {instancePath:instancePath+"/lastRequest/requestedAt",schemaPath:"#/components/schemas/LastRequestView/properties/requestedAt/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err32];
}
else {
vErrors.push(err32);
}
errors++;
}
}
}
var valid12 = _errs67 === errors;
}
else {
var valid12 = true;
}
if(valid12){
if(data15.failedAttempts !== undefined){
const _errs69 = errors;
if(!(typeof data15.failedAttempts == "number")){
const err33 = {instancePath:instancePath+"/lastRequest/failedAttempts",schemaPath:"#/components/schemas/LastRequestView/properties/failedAttempts/type",keyword:"type",params:{type: "number"},message:"must be number"};
if(vErrors === null){
vErrors = [err33];
}
else {
vErrors.push(err33);
}
errors++;
}
var valid12 = _errs69 === errors;
}
else {
var valid12 = true;
}
if(valid12){
if(data15.decidedAt !== undefined){
let data21 = data15.decidedAt;
const _errs71 = errors;
const _errs72 = errors;
let valid13 = false;
const _errs73 = errors;
if(errors === _errs73){
if(errors === _errs73){
if(typeof data21 === "string"){
if(!(formats0.validate(data21))){
const err34 = {instancePath:instancePath+"/lastRequest/decidedAt",schemaPath:"#/components/schemas/LastRequestView/properties/decidedAt/anyOf/0/format",keyword:"format",params:{format: "date-time"},message:"must match format \""+"date-time"+"\""};
if(vErrors === null){
vErrors = [err34];
}
else {
vErrors.push(err34);
}
errors++;
}
}
else {
const err35 = {instancePath:instancePath+"/lastRequest/decidedAt",schemaPath:"#/components/schemas/LastRequestView/properties/decidedAt/anyOf/0/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err35];
}
else {
vErrors.push(err35);
}
errors++;
}
}
}
var _valid6 = _errs73 === errors;
valid13 = valid13 || _valid6;
if(!valid13){
const _errs75 = errors;
if(data21 !== null){
const err36 = {instancePath:instancePath+"/lastRequest/decidedAt",schemaPath:"#/components/schemas/LastRequestView/properties/decidedAt/anyOf/1/type",keyword:"type",params:{type: "null"},message:"must be null"};
if(vErrors === null){
vErrors = [err36];
}
else {
vErrors.push(err36);
}
errors++;
}
var _valid6 = _errs75 === errors;
valid13 = valid13 || _valid6;
}
if(!valid13){
const err37 = {instancePath:instancePath+"/lastRequest/decidedAt",schemaPath:"#/components/schemas/LastRequestView/properties/decidedAt/anyOf",keyword:"anyOf",params:{},message:"must match a schema in anyOf"};
if(vErrors === null){
vErrors = [err37];
}
else {
vErrors.push(err37);
}
errors++;
}
else {
errors = _errs72;
if(vErrors !== null){
if(_errs72){
vErrors.length = _errs72;
}
else {
vErrors = null;
}
}
}
var valid12 = _errs71 === errors;
}
else {
var valid12 = true;
}
}
}
}
}
}
}
}
else {
const err38 = {instancePath:instancePath+"/lastRequest",schemaPath:"#/components/schemas/LastRequestView/type",keyword:"type",params:{type: "object"},message:"must be object"};
if(vErrors === null){
vErrors = [err38];
}
else {
vErrors.push(err38);
}
errors++;
}
}
var _valid5 = _errs56 === errors;
valid9 = valid9 || _valid5;
if(!valid9){
const _errs77 = errors;
if(data15 !== null){
const err39 = {instancePath:instancePath+"/lastRequest",schemaPath:"#/properties/lastRequest/anyOf/1/type",keyword:"type",params:{type: "null"},message:"must be null"};
if(vErrors === null){
vErrors = [err39];
}
else {
vErrors.push(err39);
}
errors++;
}
var _valid5 = _errs77 === errors;
valid9 = valid9 || _valid5;
}
if(!valid9){
const err40 = {instancePath:instancePath+"/lastRequest",schemaPath:"#/properties/lastRequest/anyOf",keyword:"anyOf",params:{},message:"must match a schema in anyOf"};
if(vErrors === null){
vErrors = [err40];
}
else {
vErrors.push(err40);
}
errors++;
validate19.errors = vErrors;
return false;
}
else {
errors = _errs55;
if(vErrors !== null){
if(_errs55){
vErrors.length = _errs55;
}
else {
vErrors = null;
}
}
}
var valid0 = _errs54 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.lastRevocation !== undefined){
let data22 = data.lastRevocation;
const _errs79 = errors;
const _errs80 = errors;
let valid14 = false;
const _errs81 = errors;
if(!(data22 && typeof data22 == "object" && !Array.isArray(data22))){
const err41 = {instancePath:instancePath+"/lastRevocation",schemaPath:"#/properties/lastRevocation/anyOf/0/type",keyword:"type",params:{type: "object"},message:"must be object"};
if(vErrors === null){
vErrors = [err41];
}
else {
vErrors.push(err41);
}
errors++;
}
const _errs84 = errors;
if(errors === _errs84){
if(data22 && typeof data22 == "object" && !Array.isArray(data22)){
let missing3;
if(((((((data22.requestId === undefined) && (missing3 = "requestId")) || ((data22.fingerprint === undefined) && (missing3 = "fingerprint"))) || ((data22.reasonCode === undefined) && (missing3 = "reasonCode"))) || ((data22.reason === undefined) && (missing3 = "reason"))) || ((data22.revokedBy === undefined) && (missing3 = "revokedBy"))) || ((data22.revokedAt === undefined) && (missing3 = "revokedAt"))){
const err42 = {instancePath:instancePath+"/lastRevocation",schemaPath:"#/components/schemas/RevocationView/required",keyword:"required",params:{missingProperty: missing3},message:"must have required property '"+missing3+"'"};
if(vErrors === null){
vErrors = [err42];
}
else {
vErrors.push(err42);
}
errors++;
}
else {
if(data22.requestId !== undefined){
const _errs86 = errors;
if(typeof data22.requestId !== "string"){
const err43 = {instancePath:instancePath+"/lastRevocation/requestId",schemaPath:"#/components/schemas/RevocationView/properties/requestId/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err43];
}
else {
vErrors.push(err43);
}
errors++;
}
var valid17 = _errs86 === errors;
}
else {
var valid17 = true;
}
if(valid17){
if(data22.fingerprint !== undefined){
const _errs88 = errors;
if(typeof data22.fingerprint !== "string"){
const err44 = {instancePath:instancePath+"/lastRevocation/fingerprint",schemaPath:"#/components/schemas/RevocationView/properties/fingerprint/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err44];
}
else {
vErrors.push(err44);
}
errors++;
}
var valid17 = _errs88 === errors;
}
else {
var valid17 = true;
}
if(valid17){
if(data22.reasonCode !== undefined){
let data25 = data22.reasonCode;
const _errs90 = errors;
if(typeof data25 !== "string"){
const err45 = {instancePath:instancePath+"/lastRevocation/reasonCode",schemaPath:"#/components/schemas/RevocationView/properties/reasonCode/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err45];
}
else {
vErrors.push(err45);
}
errors++;
}
if(!((((data25 === "REPLACED") || (data25 === "AGENT_REMOVED")) || (data25 === "REVOKED_BY_ADMIN")) || (data25 === "ROLE_CHANGED_TO_AUDITOR"))){
const err46 = {instancePath:instancePath+"/lastRevocation/reasonCode",schemaPath:"#/components/schemas/RevocationView/properties/reasonCode/enum",keyword:"enum",params:{allowedValues: schema29.properties.reasonCode.enum},message:"must be equal to one of the allowed values"};
if(vErrors === null){
vErrors = [err46];
}
else {
vErrors.push(err46);
}
errors++;
}
var valid17 = _errs90 === errors;
}
else {
var valid17 = true;
}
if(valid17){
if(data22.reason !== undefined){
const _errs92 = errors;
if(typeof data22.reason !== "string"){
const err47 = {instancePath:instancePath+"/lastRevocation/reason",schemaPath:"#/components/schemas/RevocationView/properties/reason/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err47];
}
else {
vErrors.push(err47);
}
errors++;
}
var valid17 = _errs92 === errors;
}
else {
var valid17 = true;
}
if(valid17){
if(data22.revokedBy !== undefined){
const _errs94 = errors;
if(typeof data22.revokedBy !== "string"){
const err48 = {instancePath:instancePath+"/lastRevocation/revokedBy",schemaPath:"#/components/schemas/RevocationView/properties/revokedBy/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err48];
}
else {
vErrors.push(err48);
}
errors++;
}
var valid17 = _errs94 === errors;
}
else {
var valid17 = true;
}
if(valid17){
if(data22.revokedAt !== undefined){
let data28 = data22.revokedAt;
const _errs96 = errors;
if(errors === _errs96){
if(errors === _errs96){
if(typeof data28 === "string"){
if(!(formats0.validate(data28))){
const err49 = {instancePath:instancePath+"/lastRevocation/revokedAt",schemaPath:"#/components/schemas/RevocationView/properties/revokedAt/format",keyword:"format",params:{format: "date-time"},message:"must match format \""+"date-time"+"\""};
if(vErrors === null){
vErrors = [err49];
}
else {
vErrors.push(err49);
}
errors++;
}
}
else {
const err50 = {instancePath:instancePath+"/lastRevocation/revokedAt",schemaPath:"#/components/schemas/RevocationView/properties/revokedAt/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err50];
}
else {
vErrors.push(err50);
}
errors++;
}
}
}
var valid17 = _errs96 === errors;
}
else {
var valid17 = true;
}
}
}
}
}
}
}
}
else {
const err51 = {instancePath:instancePath+"/lastRevocation",schemaPath:"#/components/schemas/RevocationView/type",keyword:"type",params:{type: "object"},message:"must be object"};
if(vErrors === null){
vErrors = [err51];
}
else {
vErrors.push(err51);
}
errors++;
}
}
var _valid7 = _errs81 === errors;
valid14 = valid14 || _valid7;
if(!valid14){
const _errs98 = errors;
if(data22 !== null){
const err52 = {instancePath:instancePath+"/lastRevocation",schemaPath:"#/properties/lastRevocation/anyOf/1/type",keyword:"type",params:{type: "null"},message:"must be null"};
if(vErrors === null){
vErrors = [err52];
}
else {
vErrors.push(err52);
}
errors++;
}
var _valid7 = _errs98 === errors;
valid14 = valid14 || _valid7;
}
if(!valid14){
const err53 = {instancePath:instancePath+"/lastRevocation",schemaPath:"#/properties/lastRevocation/anyOf",keyword:"anyOf",params:{},message:"must match a schema in anyOf"};
if(vErrors === null){
vErrors = [err53];
}
else {
vErrors.push(err53);
}
errors++;
validate19.errors = vErrors;
return false;
}
else {
errors = _errs80;
if(vErrors !== null){
if(_errs80){
vErrors.length = _errs80;
}
else {
vErrors = null;
}
}
}
var valid0 = _errs79 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.promptFrequencies !== undefined){
let data29 = data.promptFrequencies;
const _errs100 = errors;
if(errors === _errs100){
if(data29 && typeof data29 == "object" && !Array.isArray(data29)){
for(const key0 in data29){
let data30 = data29[key0];
const _errs103 = errors;
if(typeof data30 !== "string"){
validate19.errors = [{instancePath:instancePath+"/promptFrequencies/" + key0.replace(/~/g, "~0").replace(/\//g, "~1"),schemaPath:"#/properties/promptFrequencies/additionalProperties/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
if(!(((data30 === "EVERY_TASK") || (data30 === "DAILY")) || (data30 === "WEEKLY"))){
validate19.errors = [{instancePath:instancePath+"/promptFrequencies/" + key0.replace(/~/g, "~0").replace(/\//g, "~1"),schemaPath:"#/properties/promptFrequencies/additionalProperties/enum",keyword:"enum",params:{allowedValues: schema26.properties.promptFrequencies.additionalProperties.enum},message:"must be equal to one of the allowed values"}];
return false;
}
var valid18 = _errs103 === errors;
if(!valid18){
break;
}
}
}
else {
validate19.errors = [{instancePath:instancePath+"/promptFrequencies",schemaPath:"#/properties/promptFrequencies/type",keyword:"type",params:{type: "object"},message:"must be object"}];
return false;
}
}
var valid0 = _errs100 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.addedAt !== undefined){
let data31 = data.addedAt;
const _errs105 = errors;
if(errors === _errs105){
if(errors === _errs105){
if(typeof data31 === "string"){
if(!(formats0.validate(data31))){
validate19.errors = [{instancePath:instancePath+"/addedAt",schemaPath:"#/properties/addedAt/format",keyword:"format",params:{format: "date-time"},message:"must match format \""+"date-time"+"\""}];
return false;
}
}
else {
validate19.errors = [{instancePath:instancePath+"/addedAt",schemaPath:"#/properties/addedAt/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
}
}
var valid0 = _errs105 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.updatedAt !== undefined){
let data32 = data.updatedAt;
const _errs107 = errors;
if(errors === _errs107){
if(errors === _errs107){
if(typeof data32 === "string"){
if(!(formats0.validate(data32))){
validate19.errors = [{instancePath:instancePath+"/updatedAt",schemaPath:"#/properties/updatedAt/format",keyword:"format",params:{format: "date-time"},message:"must match format \""+"date-time"+"\""}];
return false;
}
}
else {
validate19.errors = [{instancePath:instancePath+"/updatedAt",schemaPath:"#/properties/updatedAt/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
}
}
var valid0 = _errs107 === errors;
}
else {
var valid0 = true;
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
}
else {
validate19.errors = [{instancePath,schemaPath:"#/type",keyword:"type",params:{type: "object"},message:"must be object"}];
return false;
}
}
validate19.errors = vErrors;
return errors === 0;
}


function validate18(data, {instancePath="", parentData, parentDataProperty, rootData=data}={}){
let vErrors = null;
let errors = 0;
if(errors === 0){
if(data && typeof data == "object" && !Array.isArray(data)){
let missing0;
if(((data.agents === undefined) && (missing0 = "agents")) || ((data.totals === undefined) && (missing0 = "totals"))){
validate18.errors = [{instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: missing0},message:"must have required property '"+missing0+"'"}];
return false;
}
else {
if(data.agents !== undefined){
let data0 = data.agents;
const _errs1 = errors;
if(errors === _errs1){
if(Array.isArray(data0)){
var valid1 = true;
const len0 = data0.length;
for(let i0=0; i0<len0; i0++){
const _errs3 = errors;
if(!(validate19(data0[i0], {instancePath:instancePath+"/agents/" + i0,parentData:data0,parentDataProperty:i0,rootData}))){
vErrors = vErrors === null ? validate19.errors : vErrors.concat(validate19.errors);
errors = vErrors.length;
}
var valid1 = _errs3 === errors;
if(!valid1){
break;
}
}
}
else {
validate18.errors = [{instancePath:instancePath+"/agents",schemaPath:"#/properties/agents/type",keyword:"type",params:{type: "array"},message:"must be array"}];
return false;
}
}
var valid0 = _errs1 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.totals !== undefined){
let data2 = data.totals;
const _errs4 = errors;
const _errs6 = errors;
if(errors === _errs6){
if(data2 && typeof data2 == "object" && !Array.isArray(data2)){
let missing1;
if((((((data2.agents === undefined) && (missing1 = "agents")) || ((data2.withActiveKey === undefined) && (missing1 = "withActiveKey"))) || ((data2.pending === undefined) && (missing1 = "pending"))) || ((data2.none === undefined) && (missing1 = "none"))) || ((data2.byKeyStatus === undefined) && (missing1 = "byKeyStatus"))){
validate18.errors = [{instancePath:instancePath+"/totals",schemaPath:"#/components/schemas/StatusTotalsView/required",keyword:"required",params:{missingProperty: missing1},message:"must have required property '"+missing1+"'"}];
return false;
}
else {
if(data2.agents !== undefined){
const _errs8 = errors;
if(!(typeof data2.agents == "number")){
validate18.errors = [{instancePath:instancePath+"/totals/agents",schemaPath:"#/components/schemas/StatusTotalsView/properties/agents/type",keyword:"type",params:{type: "number"},message:"must be number"}];
return false;
}
var valid4 = _errs8 === errors;
}
else {
var valid4 = true;
}
if(valid4){
if(data2.withActiveKey !== undefined){
const _errs10 = errors;
if(!(typeof data2.withActiveKey == "number")){
validate18.errors = [{instancePath:instancePath+"/totals/withActiveKey",schemaPath:"#/components/schemas/StatusTotalsView/properties/withActiveKey/type",keyword:"type",params:{type: "number"},message:"must be number"}];
return false;
}
var valid4 = _errs10 === errors;
}
else {
var valid4 = true;
}
if(valid4){
if(data2.pending !== undefined){
const _errs12 = errors;
if(!(typeof data2.pending == "number")){
validate18.errors = [{instancePath:instancePath+"/totals/pending",schemaPath:"#/components/schemas/StatusTotalsView/properties/pending/type",keyword:"type",params:{type: "number"},message:"must be number"}];
return false;
}
var valid4 = _errs12 === errors;
}
else {
var valid4 = true;
}
if(valid4){
if(data2.none !== undefined){
const _errs14 = errors;
if(!(typeof data2.none == "number")){
validate18.errors = [{instancePath:instancePath+"/totals/none",schemaPath:"#/components/schemas/StatusTotalsView/properties/none/type",keyword:"type",params:{type: "number"},message:"must be number"}];
return false;
}
var valid4 = _errs14 === errors;
}
else {
var valid4 = true;
}
if(valid4){
if(data2.byKeyStatus !== undefined){
let data7 = data2.byKeyStatus;
const _errs16 = errors;
if(errors === _errs16){
if(data7 && typeof data7 == "object" && !Array.isArray(data7)){
for(const key0 in data7){
let data8 = data7[key0];
const _errs19 = errors;
if(!((typeof data8 == "number") && (!(data8 % 1) && !isNaN(data8)))){
validate18.errors = [{instancePath:instancePath+"/totals/byKeyStatus/" + key0.replace(/~/g, "~0").replace(/\//g, "~1"),schemaPath:"#/components/schemas/StatusTotalsView/properties/byKeyStatus/additionalProperties/type",keyword:"type",params:{type: "integer"},message:"must be integer"}];
return false;
}
var valid5 = _errs19 === errors;
if(!valid5){
break;
}
}
}
else {
validate18.errors = [{instancePath:instancePath+"/totals/byKeyStatus",schemaPath:"#/components/schemas/StatusTotalsView/properties/byKeyStatus/type",keyword:"type",params:{type: "object"},message:"must be object"}];
return false;
}
}
var valid4 = _errs16 === errors;
}
else {
var valid4 = true;
}
}
}
}
}
}
}
else {
validate18.errors = [{instancePath:instancePath+"/totals",schemaPath:"#/components/schemas/StatusTotalsView/type",keyword:"type",params:{type: "object"},message:"must be object"}];
return false;
}
}
var valid0 = _errs4 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.nextCursor !== undefined){
const _errs21 = errors;
if(typeof data.nextCursor !== "string"){
validate18.errors = [{instancePath:instancePath+"/nextCursor",schemaPath:"#/properties/nextCursor/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
var valid0 = _errs21 === errors;
}
else {
var valid0 = true;
}
}
}
}
}
else {
validate18.errors = [{instancePath,schemaPath:"#/type",keyword:"type",params:{type: "object"},message:"must be object"}];
return false;
}
}
validate18.errors = vErrors;
return errors === 0;
}

exports["openapi.json#/components/schemas/AuditLogPageView"] = validate21;
const schema31 = {"type":"object","properties":{"items":{"description":"At most `limit` entries. A page examines at most 1,000 entries: with filters that match little (two of type, actor, subject; a time range) it may hold fewer, or none, while `nextCursor` is present. Follow `nextCursor` until it is absent","type":"array","items":{"$ref":"#/components/schemas/AuditEntryView"}},"nextCursor":{"type":"string","description":"Pass it back as `cursor` for the next page, even after a short or empty page; absent on the last page"}},"required":["items"]};
const schema32 = {"type":"object","properties":{"eventId":{"type":"string"},"position":{"type":"number","description":"Global log position: the order of the trail"},"type":{"type":"string","example":"KeyApproved"},"schemaVersion":{"type":"number"},"stream":{"type":"string"},"revision":{"type":"number"},"actor":{"type":"string","description":"agentId who caused it, or \"operator\""},"subject":{"anyOf":[{"type":"string","description":"The agent it is about; null for org-wide events"},{"type":"null"}]},"occurredAt":{"type":"string","format":"date-time"},"correlationId":{"type":"string"},"causationId":{"type":"string"},"data":{"type":"object","additionalProperties":true,"description":"The event data"}},"required":["eventId","position","type","schemaVersion","stream","revision","actor","subject","occurredAt","correlationId","causationId","data"]};

function validate21(data, {instancePath="", parentData, parentDataProperty, rootData=data}={}){
let vErrors = null;
let errors = 0;
if(errors === 0){
if(data && typeof data == "object" && !Array.isArray(data)){
let missing0;
if((data.items === undefined) && (missing0 = "items")){
validate21.errors = [{instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: missing0},message:"must have required property '"+missing0+"'"}];
return false;
}
else {
if(data.items !== undefined){
let data0 = data.items;
const _errs1 = errors;
if(errors === _errs1){
if(Array.isArray(data0)){
var valid1 = true;
const len0 = data0.length;
for(let i0=0; i0<len0; i0++){
let data1 = data0[i0];
const _errs3 = errors;
const _errs4 = errors;
if(errors === _errs4){
if(data1 && typeof data1 == "object" && !Array.isArray(data1)){
let missing1;
if(((((((((((((data1.eventId === undefined) && (missing1 = "eventId")) || ((data1.position === undefined) && (missing1 = "position"))) || ((data1.type === undefined) && (missing1 = "type"))) || ((data1.schemaVersion === undefined) && (missing1 = "schemaVersion"))) || ((data1.stream === undefined) && (missing1 = "stream"))) || ((data1.revision === undefined) && (missing1 = "revision"))) || ((data1.actor === undefined) && (missing1 = "actor"))) || ((data1.subject === undefined) && (missing1 = "subject"))) || ((data1.occurredAt === undefined) && (missing1 = "occurredAt"))) || ((data1.correlationId === undefined) && (missing1 = "correlationId"))) || ((data1.causationId === undefined) && (missing1 = "causationId"))) || ((data1.data === undefined) && (missing1 = "data"))){
validate21.errors = [{instancePath:instancePath+"/items/" + i0,schemaPath:"#/components/schemas/AuditEntryView/required",keyword:"required",params:{missingProperty: missing1},message:"must have required property '"+missing1+"'"}];
return false;
}
else {
if(data1.eventId !== undefined){
const _errs6 = errors;
if(typeof data1.eventId !== "string"){
validate21.errors = [{instancePath:instancePath+"/items/" + i0+"/eventId",schemaPath:"#/components/schemas/AuditEntryView/properties/eventId/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
var valid3 = _errs6 === errors;
}
else {
var valid3 = true;
}
if(valid3){
if(data1.position !== undefined){
const _errs8 = errors;
if(!(typeof data1.position == "number")){
validate21.errors = [{instancePath:instancePath+"/items/" + i0+"/position",schemaPath:"#/components/schemas/AuditEntryView/properties/position/type",keyword:"type",params:{type: "number"},message:"must be number"}];
return false;
}
var valid3 = _errs8 === errors;
}
else {
var valid3 = true;
}
if(valid3){
if(data1.type !== undefined){
const _errs10 = errors;
if(typeof data1.type !== "string"){
validate21.errors = [{instancePath:instancePath+"/items/" + i0+"/type",schemaPath:"#/components/schemas/AuditEntryView/properties/type/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
var valid3 = _errs10 === errors;
}
else {
var valid3 = true;
}
if(valid3){
if(data1.schemaVersion !== undefined){
const _errs12 = errors;
if(!(typeof data1.schemaVersion == "number")){
validate21.errors = [{instancePath:instancePath+"/items/" + i0+"/schemaVersion",schemaPath:"#/components/schemas/AuditEntryView/properties/schemaVersion/type",keyword:"type",params:{type: "number"},message:"must be number"}];
return false;
}
var valid3 = _errs12 === errors;
}
else {
var valid3 = true;
}
if(valid3){
if(data1.stream !== undefined){
const _errs14 = errors;
if(typeof data1.stream !== "string"){
validate21.errors = [{instancePath:instancePath+"/items/" + i0+"/stream",schemaPath:"#/components/schemas/AuditEntryView/properties/stream/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
var valid3 = _errs14 === errors;
}
else {
var valid3 = true;
}
if(valid3){
if(data1.revision !== undefined){
const _errs16 = errors;
if(!(typeof data1.revision == "number")){
validate21.errors = [{instancePath:instancePath+"/items/" + i0+"/revision",schemaPath:"#/components/schemas/AuditEntryView/properties/revision/type",keyword:"type",params:{type: "number"},message:"must be number"}];
return false;
}
var valid3 = _errs16 === errors;
}
else {
var valid3 = true;
}
if(valid3){
if(data1.actor !== undefined){
const _errs18 = errors;
if(typeof data1.actor !== "string"){
validate21.errors = [{instancePath:instancePath+"/items/" + i0+"/actor",schemaPath:"#/components/schemas/AuditEntryView/properties/actor/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
var valid3 = _errs18 === errors;
}
else {
var valid3 = true;
}
if(valid3){
if(data1.subject !== undefined){
let data9 = data1.subject;
const _errs20 = errors;
const _errs21 = errors;
let valid4 = false;
const _errs22 = errors;
if(typeof data9 !== "string"){
const err0 = {instancePath:instancePath+"/items/" + i0+"/subject",schemaPath:"#/components/schemas/AuditEntryView/properties/subject/anyOf/0/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err0];
}
else {
vErrors.push(err0);
}
errors++;
}
var _valid0 = _errs22 === errors;
valid4 = valid4 || _valid0;
if(!valid4){
const _errs24 = errors;
if(data9 !== null){
const err1 = {instancePath:instancePath+"/items/" + i0+"/subject",schemaPath:"#/components/schemas/AuditEntryView/properties/subject/anyOf/1/type",keyword:"type",params:{type: "null"},message:"must be null"};
if(vErrors === null){
vErrors = [err1];
}
else {
vErrors.push(err1);
}
errors++;
}
var _valid0 = _errs24 === errors;
valid4 = valid4 || _valid0;
}
if(!valid4){
const err2 = {instancePath:instancePath+"/items/" + i0+"/subject",schemaPath:"#/components/schemas/AuditEntryView/properties/subject/anyOf",keyword:"anyOf",params:{},message:"must match a schema in anyOf"};
if(vErrors === null){
vErrors = [err2];
}
else {
vErrors.push(err2);
}
errors++;
validate21.errors = vErrors;
return false;
}
else {
errors = _errs21;
if(vErrors !== null){
if(_errs21){
vErrors.length = _errs21;
}
else {
vErrors = null;
}
}
}
var valid3 = _errs20 === errors;
}
else {
var valid3 = true;
}
if(valid3){
if(data1.occurredAt !== undefined){
let data10 = data1.occurredAt;
const _errs26 = errors;
if(errors === _errs26){
if(errors === _errs26){
if(typeof data10 === "string"){
if(!(formats0.validate(data10))){
validate21.errors = [{instancePath:instancePath+"/items/" + i0+"/occurredAt",schemaPath:"#/components/schemas/AuditEntryView/properties/occurredAt/format",keyword:"format",params:{format: "date-time"},message:"must match format \""+"date-time"+"\""}];
return false;
}
}
else {
validate21.errors = [{instancePath:instancePath+"/items/" + i0+"/occurredAt",schemaPath:"#/components/schemas/AuditEntryView/properties/occurredAt/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
}
}
var valid3 = _errs26 === errors;
}
else {
var valid3 = true;
}
if(valid3){
if(data1.correlationId !== undefined){
const _errs28 = errors;
if(typeof data1.correlationId !== "string"){
validate21.errors = [{instancePath:instancePath+"/items/" + i0+"/correlationId",schemaPath:"#/components/schemas/AuditEntryView/properties/correlationId/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
var valid3 = _errs28 === errors;
}
else {
var valid3 = true;
}
if(valid3){
if(data1.causationId !== undefined){
const _errs30 = errors;
if(typeof data1.causationId !== "string"){
validate21.errors = [{instancePath:instancePath+"/items/" + i0+"/causationId",schemaPath:"#/components/schemas/AuditEntryView/properties/causationId/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
var valid3 = _errs30 === errors;
}
else {
var valid3 = true;
}
if(valid3){
if(data1.data !== undefined){
let data13 = data1.data;
const _errs32 = errors;
if(errors === _errs32){
if(data13 && typeof data13 == "object" && !Array.isArray(data13)){
}
else {
validate21.errors = [{instancePath:instancePath+"/items/" + i0+"/data",schemaPath:"#/components/schemas/AuditEntryView/properties/data/type",keyword:"type",params:{type: "object"},message:"must be object"}];
return false;
}
}
var valid3 = _errs32 === errors;
}
else {
var valid3 = true;
}
}
}
}
}
}
}
}
}
}
}
}
}
}
else {
validate21.errors = [{instancePath:instancePath+"/items/" + i0,schemaPath:"#/components/schemas/AuditEntryView/type",keyword:"type",params:{type: "object"},message:"must be object"}];
return false;
}
}
var valid1 = _errs3 === errors;
if(!valid1){
break;
}
}
}
else {
validate21.errors = [{instancePath:instancePath+"/items",schemaPath:"#/properties/items/type",keyword:"type",params:{type: "array"},message:"must be array"}];
return false;
}
}
var valid0 = _errs1 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.nextCursor !== undefined){
const _errs35 = errors;
if(typeof data.nextCursor !== "string"){
validate21.errors = [{instancePath:instancePath+"/nextCursor",schemaPath:"#/properties/nextCursor/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
var valid0 = _errs35 === errors;
}
else {
var valid0 = true;
}
}
}
}
else {
validate21.errors = [{instancePath,schemaPath:"#/type",keyword:"type",params:{type: "object"},message:"must be object"}];
return false;
}
}
validate21.errors = vErrors;
return errors === 0;
}

exports["openapi.json#/components/schemas/AsOfView"] = validate22;
const schema33 = {"type":"object","properties":{"at":{"type":"string","format":"date-time"},"agents":{"description":"Every agent with an ACTIVE key at `at`, by agentId","type":"array","items":{"$ref":"#/components/schemas/AgentAsOfView"}}},"required":["at","agents"]};
const schema34 = {"type":"object","properties":{"agentId":{"type":"string","example":"alice"},"role":{"type":"string","enum":["MEMBER","ADMIN","SUPER_ADMIN","AUDITOR"],"description":"The role at that instant"},"key":{"description":"The key ACTIVE at that instant","allOf":[{"$ref":"#/components/schemas/KeyAsOfView"}]},"rememberedBrowsers":{"description":"Browsers where a task needed no fresh signature at that instant","type":"array","items":{"$ref":"#/components/schemas/RememberedBrowserView"}}},"required":["agentId","role","key","rememberedBrowsers"]};
const schema35 = {"type":"object","properties":{"requestId":{"type":"string"},"fingerprint":{"type":"string"},"mode":{"type":"string","enum":["FIRST_KEY","APPROVAL","ROTATION","RECOVERY"]},"activeSince":{"type":"string","format":"date-time"}},"required":["requestId","fingerprint","mode","activeSince"]};
const schema36 = {"type":"object","properties":{"browserId":{"type":"string","example":"laptop-1"},"signedAt":{"type":"string","format":"date-time","description":"The signature in that browser that opened the remembered window"},"until":{"type":"string","format":"date-time","description":"End of the window (R10, R11)"}},"required":["browserId","signedAt","until"]};

function validate23(data, {instancePath="", parentData, parentDataProperty, rootData=data}={}){
let vErrors = null;
let errors = 0;
if(errors === 0){
if(data && typeof data == "object" && !Array.isArray(data)){
let missing0;
if(((((data.agentId === undefined) && (missing0 = "agentId")) || ((data.role === undefined) && (missing0 = "role"))) || ((data.key === undefined) && (missing0 = "key"))) || ((data.rememberedBrowsers === undefined) && (missing0 = "rememberedBrowsers"))){
validate23.errors = [{instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: missing0},message:"must have required property '"+missing0+"'"}];
return false;
}
else {
if(data.agentId !== undefined){
const _errs1 = errors;
if(typeof data.agentId !== "string"){
validate23.errors = [{instancePath:instancePath+"/agentId",schemaPath:"#/properties/agentId/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
var valid0 = _errs1 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.role !== undefined){
let data1 = data.role;
const _errs3 = errors;
if(typeof data1 !== "string"){
validate23.errors = [{instancePath:instancePath+"/role",schemaPath:"#/properties/role/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
if(!((((data1 === "MEMBER") || (data1 === "ADMIN")) || (data1 === "SUPER_ADMIN")) || (data1 === "AUDITOR"))){
validate23.errors = [{instancePath:instancePath+"/role",schemaPath:"#/properties/role/enum",keyword:"enum",params:{allowedValues: schema34.properties.role.enum},message:"must be equal to one of the allowed values"}];
return false;
}
var valid0 = _errs3 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.key !== undefined){
let data2 = data.key;
const _errs5 = errors;
const _errs7 = errors;
if(errors === _errs7){
if(data2 && typeof data2 == "object" && !Array.isArray(data2)){
let missing1;
if(((((data2.requestId === undefined) && (missing1 = "requestId")) || ((data2.fingerprint === undefined) && (missing1 = "fingerprint"))) || ((data2.mode === undefined) && (missing1 = "mode"))) || ((data2.activeSince === undefined) && (missing1 = "activeSince"))){
validate23.errors = [{instancePath:instancePath+"/key",schemaPath:"#/components/schemas/KeyAsOfView/required",keyword:"required",params:{missingProperty: missing1},message:"must have required property '"+missing1+"'"}];
return false;
}
else {
if(data2.requestId !== undefined){
const _errs9 = errors;
if(typeof data2.requestId !== "string"){
validate23.errors = [{instancePath:instancePath+"/key/requestId",schemaPath:"#/components/schemas/KeyAsOfView/properties/requestId/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
var valid3 = _errs9 === errors;
}
else {
var valid3 = true;
}
if(valid3){
if(data2.fingerprint !== undefined){
const _errs11 = errors;
if(typeof data2.fingerprint !== "string"){
validate23.errors = [{instancePath:instancePath+"/key/fingerprint",schemaPath:"#/components/schemas/KeyAsOfView/properties/fingerprint/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
var valid3 = _errs11 === errors;
}
else {
var valid3 = true;
}
if(valid3){
if(data2.mode !== undefined){
let data5 = data2.mode;
const _errs13 = errors;
if(typeof data5 !== "string"){
validate23.errors = [{instancePath:instancePath+"/key/mode",schemaPath:"#/components/schemas/KeyAsOfView/properties/mode/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
if(!((((data5 === "FIRST_KEY") || (data5 === "APPROVAL")) || (data5 === "ROTATION")) || (data5 === "RECOVERY"))){
validate23.errors = [{instancePath:instancePath+"/key/mode",schemaPath:"#/components/schemas/KeyAsOfView/properties/mode/enum",keyword:"enum",params:{allowedValues: schema35.properties.mode.enum},message:"must be equal to one of the allowed values"}];
return false;
}
var valid3 = _errs13 === errors;
}
else {
var valid3 = true;
}
if(valid3){
if(data2.activeSince !== undefined){
let data6 = data2.activeSince;
const _errs15 = errors;
if(errors === _errs15){
if(errors === _errs15){
if(typeof data6 === "string"){
if(!(formats0.validate(data6))){
validate23.errors = [{instancePath:instancePath+"/key/activeSince",schemaPath:"#/components/schemas/KeyAsOfView/properties/activeSince/format",keyword:"format",params:{format: "date-time"},message:"must match format \""+"date-time"+"\""}];
return false;
}
}
else {
validate23.errors = [{instancePath:instancePath+"/key/activeSince",schemaPath:"#/components/schemas/KeyAsOfView/properties/activeSince/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
}
}
var valid3 = _errs15 === errors;
}
else {
var valid3 = true;
}
}
}
}
}
}
else {
validate23.errors = [{instancePath:instancePath+"/key",schemaPath:"#/components/schemas/KeyAsOfView/type",keyword:"type",params:{type: "object"},message:"must be object"}];
return false;
}
}
var valid0 = _errs5 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.rememberedBrowsers !== undefined){
let data7 = data.rememberedBrowsers;
const _errs17 = errors;
if(errors === _errs17){
if(Array.isArray(data7)){
var valid4 = true;
const len0 = data7.length;
for(let i0=0; i0<len0; i0++){
let data8 = data7[i0];
const _errs19 = errors;
const _errs20 = errors;
if(errors === _errs20){
if(data8 && typeof data8 == "object" && !Array.isArray(data8)){
let missing2;
if((((data8.browserId === undefined) && (missing2 = "browserId")) || ((data8.signedAt === undefined) && (missing2 = "signedAt"))) || ((data8.until === undefined) && (missing2 = "until"))){
validate23.errors = [{instancePath:instancePath+"/rememberedBrowsers/" + i0,schemaPath:"#/components/schemas/RememberedBrowserView/required",keyword:"required",params:{missingProperty: missing2},message:"must have required property '"+missing2+"'"}];
return false;
}
else {
if(data8.browserId !== undefined){
const _errs22 = errors;
if(typeof data8.browserId !== "string"){
validate23.errors = [{instancePath:instancePath+"/rememberedBrowsers/" + i0+"/browserId",schemaPath:"#/components/schemas/RememberedBrowserView/properties/browserId/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
var valid6 = _errs22 === errors;
}
else {
var valid6 = true;
}
if(valid6){
if(data8.signedAt !== undefined){
let data10 = data8.signedAt;
const _errs24 = errors;
if(errors === _errs24){
if(errors === _errs24){
if(typeof data10 === "string"){
if(!(formats0.validate(data10))){
validate23.errors = [{instancePath:instancePath+"/rememberedBrowsers/" + i0+"/signedAt",schemaPath:"#/components/schemas/RememberedBrowserView/properties/signedAt/format",keyword:"format",params:{format: "date-time"},message:"must match format \""+"date-time"+"\""}];
return false;
}
}
else {
validate23.errors = [{instancePath:instancePath+"/rememberedBrowsers/" + i0+"/signedAt",schemaPath:"#/components/schemas/RememberedBrowserView/properties/signedAt/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
}
}
var valid6 = _errs24 === errors;
}
else {
var valid6 = true;
}
if(valid6){
if(data8.until !== undefined){
let data11 = data8.until;
const _errs26 = errors;
if(errors === _errs26){
if(errors === _errs26){
if(typeof data11 === "string"){
if(!(formats0.validate(data11))){
validate23.errors = [{instancePath:instancePath+"/rememberedBrowsers/" + i0+"/until",schemaPath:"#/components/schemas/RememberedBrowserView/properties/until/format",keyword:"format",params:{format: "date-time"},message:"must match format \""+"date-time"+"\""}];
return false;
}
}
else {
validate23.errors = [{instancePath:instancePath+"/rememberedBrowsers/" + i0+"/until",schemaPath:"#/components/schemas/RememberedBrowserView/properties/until/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
}
}
var valid6 = _errs26 === errors;
}
else {
var valid6 = true;
}
}
}
}
}
else {
validate23.errors = [{instancePath:instancePath+"/rememberedBrowsers/" + i0,schemaPath:"#/components/schemas/RememberedBrowserView/type",keyword:"type",params:{type: "object"},message:"must be object"}];
return false;
}
}
var valid4 = _errs19 === errors;
if(!valid4){
break;
}
}
}
else {
validate23.errors = [{instancePath:instancePath+"/rememberedBrowsers",schemaPath:"#/properties/rememberedBrowsers/type",keyword:"type",params:{type: "array"},message:"must be array"}];
return false;
}
}
var valid0 = _errs17 === errors;
}
else {
var valid0 = true;
}
}
}
}
}
}
else {
validate23.errors = [{instancePath,schemaPath:"#/type",keyword:"type",params:{type: "object"},message:"must be object"}];
return false;
}
}
validate23.errors = vErrors;
return errors === 0;
}


function validate22(data, {instancePath="", parentData, parentDataProperty, rootData=data}={}){
let vErrors = null;
let errors = 0;
if(errors === 0){
if(data && typeof data == "object" && !Array.isArray(data)){
let missing0;
if(((data.at === undefined) && (missing0 = "at")) || ((data.agents === undefined) && (missing0 = "agents"))){
validate22.errors = [{instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: missing0},message:"must have required property '"+missing0+"'"}];
return false;
}
else {
if(data.at !== undefined){
let data0 = data.at;
const _errs1 = errors;
if(errors === _errs1){
if(errors === _errs1){
if(typeof data0 === "string"){
if(!(formats0.validate(data0))){
validate22.errors = [{instancePath:instancePath+"/at",schemaPath:"#/properties/at/format",keyword:"format",params:{format: "date-time"},message:"must match format \""+"date-time"+"\""}];
return false;
}
}
else {
validate22.errors = [{instancePath:instancePath+"/at",schemaPath:"#/properties/at/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
}
}
var valid0 = _errs1 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.agents !== undefined){
let data1 = data.agents;
const _errs3 = errors;
if(errors === _errs3){
if(Array.isArray(data1)){
var valid1 = true;
const len0 = data1.length;
for(let i0=0; i0<len0; i0++){
const _errs5 = errors;
if(!(validate23(data1[i0], {instancePath:instancePath+"/agents/" + i0,parentData:data1,parentDataProperty:i0,rootData}))){
vErrors = vErrors === null ? validate23.errors : vErrors.concat(validate23.errors);
errors = vErrors.length;
}
var valid1 = _errs5 === errors;
if(!valid1){
break;
}
}
}
else {
validate22.errors = [{instancePath:instancePath+"/agents",schemaPath:"#/properties/agents/type",keyword:"type",params:{type: "array"},message:"must be array"}];
return false;
}
}
var valid0 = _errs3 === errors;
}
else {
var valid0 = true;
}
}
}
}
else {
validate22.errors = [{instancePath,schemaPath:"#/type",keyword:"type",params:{type: "object"},message:"must be object"}];
return false;
}
}
validate22.errors = vErrors;
return errors === 0;
}

exports["openapi.json#/paths/~1v1~1orgs~1%7BorgId%7D~1audit-log~1export/get/responses/200/content/application~1x-ndjson/schema"] = validate25;
const schema37 = {"type":"string"};

function validate25(data, {instancePath="", parentData, parentDataProperty, rootData=data}={}){
let vErrors = null;
let errors = 0;
if(typeof data !== "string"){
validate25.errors = [{instancePath,schemaPath:"#/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
validate25.errors = vErrors;
return errors === 0;
}

exports["openapi.json#/paths/~1v1~1log-key/get/responses/200/content/text~1plain/schema"] = validate26;
const schema38 = {"type":"string"};

function validate26(data, {instancePath="", parentData, parentDataProperty, rootData=data}={}){
let vErrors = null;
let errors = 0;
if(typeof data !== "string"){
validate26.errors = [{instancePath,schemaPath:"#/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
validate26.errors = vErrors;
return errors === 0;
}

exports["openapi.json#/paths/~1v1~1orgs~1%7BorgId%7D~1audit-log~1checkpoint/get/responses/200/content/text~1plain/schema"] = validate27;
const schema39 = {"type":"string"};

function validate27(data, {instancePath="", parentData, parentDataProperty, rootData=data}={}){
let vErrors = null;
let errors = 0;
if(typeof data !== "string"){
validate27.errors = [{instancePath,schemaPath:"#/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
validate27.errors = vErrors;
return errors === 0;
}

exports["openapi.json#/components/schemas/ConsistencyProofView"] = validate28;
const schema40 = {"type":"object","properties":{"from":{"type":"integer","minimum":0,"example":3,"description":"The smaller tree size"},"to":{"type":"integer","minimum":0,"example":8,"description":"The larger tree size, at most the latest checkpoint's"},"proof":{"items":{"type":"string","description":"A SHA-256 hash of the org's Merkle tree (RFC 9162), base64 (standard alphabet, padded)","example":"R2l2ZSBtZSBhIHJvb3QgaGFzaCBvZiAzMiBieXRlcyE="},"description":"The proof nodes in RFC 9162 2.1.4.1 order; empty when from is 0 or equals to","type":"array"}},"required":["from","to","proof"]};

function validate28(data, {instancePath="", parentData, parentDataProperty, rootData=data}={}){
let vErrors = null;
let errors = 0;
if(errors === 0){
if(data && typeof data == "object" && !Array.isArray(data)){
let missing0;
if((((data.from === undefined) && (missing0 = "from")) || ((data.to === undefined) && (missing0 = "to"))) || ((data.proof === undefined) && (missing0 = "proof"))){
validate28.errors = [{instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: missing0},message:"must have required property '"+missing0+"'"}];
return false;
}
else {
if(data.from !== undefined){
let data0 = data.from;
const _errs1 = errors;
if(!((typeof data0 == "number") && (!(data0 % 1) && !isNaN(data0)))){
validate28.errors = [{instancePath:instancePath+"/from",schemaPath:"#/properties/from/type",keyword:"type",params:{type: "integer"},message:"must be integer"}];
return false;
}
if(errors === _errs1){
if(typeof data0 == "number"){
if(data0 < 0 || isNaN(data0)){
validate28.errors = [{instancePath:instancePath+"/from",schemaPath:"#/properties/from/minimum",keyword:"minimum",params:{comparison: ">=", limit: 0},message:"must be >= 0"}];
return false;
}
}
}
var valid0 = _errs1 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.to !== undefined){
let data1 = data.to;
const _errs3 = errors;
if(!((typeof data1 == "number") && (!(data1 % 1) && !isNaN(data1)))){
validate28.errors = [{instancePath:instancePath+"/to",schemaPath:"#/properties/to/type",keyword:"type",params:{type: "integer"},message:"must be integer"}];
return false;
}
if(errors === _errs3){
if(typeof data1 == "number"){
if(data1 < 0 || isNaN(data1)){
validate28.errors = [{instancePath:instancePath+"/to",schemaPath:"#/properties/to/minimum",keyword:"minimum",params:{comparison: ">=", limit: 0},message:"must be >= 0"}];
return false;
}
}
}
var valid0 = _errs3 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.proof !== undefined){
let data2 = data.proof;
const _errs5 = errors;
if(errors === _errs5){
if(Array.isArray(data2)){
var valid1 = true;
const len0 = data2.length;
for(let i0=0; i0<len0; i0++){
const _errs7 = errors;
if(typeof data2[i0] !== "string"){
validate28.errors = [{instancePath:instancePath+"/proof/" + i0,schemaPath:"#/properties/proof/items/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
var valid1 = _errs7 === errors;
if(!valid1){
break;
}
}
}
else {
validate28.errors = [{instancePath:instancePath+"/proof",schemaPath:"#/properties/proof/type",keyword:"type",params:{type: "array"},message:"must be array"}];
return false;
}
}
var valid0 = _errs5 === errors;
}
else {
var valid0 = true;
}
}
}
}
}
else {
validate28.errors = [{instancePath,schemaPath:"#/type",keyword:"type",params:{type: "object"},message:"must be object"}];
return false;
}
}
validate28.errors = vErrors;
return errors === 0;
}

exports["openapi.json#/components/schemas/InclusionProofView"] = validate29;
const schema41 = {"type":"object","properties":{"index":{"type":"integer","minimum":0,"example":2,"description":"Index of the event in the org's tree (its events in log order, checkpoints not counted)"},"size":{"type":"integer","minimum":1,"example":8,"description":"The tree size, at most the latest checkpoint's"},"leafHash":{"type":"string","description":"SHA-256(0x00 || leaf input) of the event (README: leaf of an event)","example":"R2l2ZSBtZSBhIHJvb3QgaGFzaCBvZiAzMiBieXRlcyE="},"proof":{"items":{"type":"string","description":"A SHA-256 hash of the org's Merkle tree (RFC 9162), base64 (standard alphabet, padded)","example":"R2l2ZSBtZSBhIHJvb3QgaGFzaCBvZiAzMiBieXRlcyE="},"description":"The audit path in RFC 9162 2.1.3.1 order","type":"array"},"eventId":{"type":"string","description":"Asked by eventId: the event","example":"0193c3a0-0000-7000-8000-000000000001"},"checkpoint":{"type":"string","description":"Asked by eventId: the org's latest signed checkpoint note (as GET .../audit-log/checkpoint). When `size` is its tree size, the proof verifies against its root; for a smaller size, against the root of a checkpoint of that size you kept"}},"required":["index","size","leafHash","proof"]};

function validate29(data, {instancePath="", parentData, parentDataProperty, rootData=data}={}){
let vErrors = null;
let errors = 0;
if(errors === 0){
if(data && typeof data == "object" && !Array.isArray(data)){
let missing0;
if(((((data.index === undefined) && (missing0 = "index")) || ((data.size === undefined) && (missing0 = "size"))) || ((data.leafHash === undefined) && (missing0 = "leafHash"))) || ((data.proof === undefined) && (missing0 = "proof"))){
validate29.errors = [{instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: missing0},message:"must have required property '"+missing0+"'"}];
return false;
}
else {
if(data.index !== undefined){
let data0 = data.index;
const _errs1 = errors;
if(!((typeof data0 == "number") && (!(data0 % 1) && !isNaN(data0)))){
validate29.errors = [{instancePath:instancePath+"/index",schemaPath:"#/properties/index/type",keyword:"type",params:{type: "integer"},message:"must be integer"}];
return false;
}
if(errors === _errs1){
if(typeof data0 == "number"){
if(data0 < 0 || isNaN(data0)){
validate29.errors = [{instancePath:instancePath+"/index",schemaPath:"#/properties/index/minimum",keyword:"minimum",params:{comparison: ">=", limit: 0},message:"must be >= 0"}];
return false;
}
}
}
var valid0 = _errs1 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.size !== undefined){
let data1 = data.size;
const _errs3 = errors;
if(!((typeof data1 == "number") && (!(data1 % 1) && !isNaN(data1)))){
validate29.errors = [{instancePath:instancePath+"/size",schemaPath:"#/properties/size/type",keyword:"type",params:{type: "integer"},message:"must be integer"}];
return false;
}
if(errors === _errs3){
if(typeof data1 == "number"){
if(data1 < 1 || isNaN(data1)){
validate29.errors = [{instancePath:instancePath+"/size",schemaPath:"#/properties/size/minimum",keyword:"minimum",params:{comparison: ">=", limit: 1},message:"must be >= 1"}];
return false;
}
}
}
var valid0 = _errs3 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.leafHash !== undefined){
const _errs5 = errors;
if(typeof data.leafHash !== "string"){
validate29.errors = [{instancePath:instancePath+"/leafHash",schemaPath:"#/properties/leafHash/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
var valid0 = _errs5 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.proof !== undefined){
let data3 = data.proof;
const _errs7 = errors;
if(errors === _errs7){
if(Array.isArray(data3)){
var valid1 = true;
const len0 = data3.length;
for(let i0=0; i0<len0; i0++){
const _errs9 = errors;
if(typeof data3[i0] !== "string"){
validate29.errors = [{instancePath:instancePath+"/proof/" + i0,schemaPath:"#/properties/proof/items/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
var valid1 = _errs9 === errors;
if(!valid1){
break;
}
}
}
else {
validate29.errors = [{instancePath:instancePath+"/proof",schemaPath:"#/properties/proof/type",keyword:"type",params:{type: "array"},message:"must be array"}];
return false;
}
}
var valid0 = _errs7 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.eventId !== undefined){
const _errs11 = errors;
if(typeof data.eventId !== "string"){
validate29.errors = [{instancePath:instancePath+"/eventId",schemaPath:"#/properties/eventId/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
var valid0 = _errs11 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.checkpoint !== undefined){
const _errs13 = errors;
if(typeof data.checkpoint !== "string"){
validate29.errors = [{instancePath:instancePath+"/checkpoint",schemaPath:"#/properties/checkpoint/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
var valid0 = _errs13 === errors;
}
else {
var valid0 = true;
}
}
}
}
}
}
}
}
else {
validate29.errors = [{instancePath,schemaPath:"#/type",keyword:"type",params:{type: "object"},message:"must be object"}];
return false;
}
}
validate29.errors = vErrors;
return errors === 0;
}

exports["openapi.json#/components/schemas/SignInOptionsView"] = validate30;
const schema42 = {"type":"object","properties":{"token":{"type":"boolean","description":"A pasted agent token is always accepted"},"oidc":{"description":"Present when the deployment sets OIDC_AUTHORIZATION_URL, OIDC_TOKEN_URL and OIDC_CLIENT_ID (with JWKS_URL)","allOf":[{"$ref":"#/components/schemas/ConsoleOidcView"}]}},"required":["token"]};
const schema43 = {"type":"object","properties":{"authorizationEndpoint":{"type":"string","example":"https://id.example.com/oauth2/authorize","description":"Where the console sends the browser with response_type=code, client_id, redirect_uri (this server's /console/), scope, state and an S256 code_challenge"},"tokenEndpoint":{"type":"string","example":"https://id.example.com/oauth2/token","description":"Where the console exchanges the code (with its code_verifier, no client secret) for an access token: a JWT the API verifies against JWKS_URL"},"clientId":{"type":"string","example":"ztkeys-console","description":"The console's client id at the provider (a public client: no secret)"},"scope":{"type":"string","example":"openid","description":"The scope the console asks for"}},"required":["authorizationEndpoint","tokenEndpoint","clientId","scope"]};

function validate30(data, {instancePath="", parentData, parentDataProperty, rootData=data}={}){
let vErrors = null;
let errors = 0;
if(errors === 0){
if(data && typeof data == "object" && !Array.isArray(data)){
let missing0;
if((data.token === undefined) && (missing0 = "token")){
validate30.errors = [{instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: missing0},message:"must have required property '"+missing0+"'"}];
return false;
}
else {
if(data.token !== undefined){
const _errs1 = errors;
if(typeof data.token !== "boolean"){
validate30.errors = [{instancePath:instancePath+"/token",schemaPath:"#/properties/token/type",keyword:"type",params:{type: "boolean"},message:"must be boolean"}];
return false;
}
var valid0 = _errs1 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.oidc !== undefined){
let data1 = data.oidc;
const _errs3 = errors;
const _errs5 = errors;
if(errors === _errs5){
if(data1 && typeof data1 == "object" && !Array.isArray(data1)){
let missing1;
if(((((data1.authorizationEndpoint === undefined) && (missing1 = "authorizationEndpoint")) || ((data1.tokenEndpoint === undefined) && (missing1 = "tokenEndpoint"))) || ((data1.clientId === undefined) && (missing1 = "clientId"))) || ((data1.scope === undefined) && (missing1 = "scope"))){
validate30.errors = [{instancePath:instancePath+"/oidc",schemaPath:"#/components/schemas/ConsoleOidcView/required",keyword:"required",params:{missingProperty: missing1},message:"must have required property '"+missing1+"'"}];
return false;
}
else {
if(data1.authorizationEndpoint !== undefined){
const _errs7 = errors;
if(typeof data1.authorizationEndpoint !== "string"){
validate30.errors = [{instancePath:instancePath+"/oidc/authorizationEndpoint",schemaPath:"#/components/schemas/ConsoleOidcView/properties/authorizationEndpoint/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
var valid3 = _errs7 === errors;
}
else {
var valid3 = true;
}
if(valid3){
if(data1.tokenEndpoint !== undefined){
const _errs9 = errors;
if(typeof data1.tokenEndpoint !== "string"){
validate30.errors = [{instancePath:instancePath+"/oidc/tokenEndpoint",schemaPath:"#/components/schemas/ConsoleOidcView/properties/tokenEndpoint/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
var valid3 = _errs9 === errors;
}
else {
var valid3 = true;
}
if(valid3){
if(data1.clientId !== undefined){
const _errs11 = errors;
if(typeof data1.clientId !== "string"){
validate30.errors = [{instancePath:instancePath+"/oidc/clientId",schemaPath:"#/components/schemas/ConsoleOidcView/properties/clientId/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
var valid3 = _errs11 === errors;
}
else {
var valid3 = true;
}
if(valid3){
if(data1.scope !== undefined){
const _errs13 = errors;
if(typeof data1.scope !== "string"){
validate30.errors = [{instancePath:instancePath+"/oidc/scope",schemaPath:"#/components/schemas/ConsoleOidcView/properties/scope/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
var valid3 = _errs13 === errors;
}
else {
var valid3 = true;
}
}
}
}
}
}
else {
validate30.errors = [{instancePath:instancePath+"/oidc",schemaPath:"#/components/schemas/ConsoleOidcView/type",keyword:"type",params:{type: "object"},message:"must be object"}];
return false;
}
}
var valid0 = _errs3 === errors;
}
else {
var valid0 = true;
}
}
}
}
else {
validate30.errors = [{instancePath,schemaPath:"#/type",keyword:"type",params:{type: "object"},message:"must be object"}];
return false;
}
}
validate30.errors = vErrors;
return errors === 0;
}

exports["openapi.json#/paths/~1health~1live/get/responses/200/content/application~1json/schema"] = validate31;
const schema44 = {"type":"object","required":["status","info","error","details"],"properties":{"status":{"type":"string","enum":["ok"]},"info":{"type":"object","additionalProperties":{"type":"object","required":["status"],"properties":{"status":{"type":"string","example":"up"}}}},"error":{"type":"object","additionalProperties":{"type":"object","required":["status"],"properties":{"status":{"type":"string","example":"up"}}}},"details":{"type":"object","additionalProperties":{"type":"object","required":["status"],"properties":{"status":{"type":"string","example":"up"}}}}}};

function validate31(data, {instancePath="", parentData, parentDataProperty, rootData=data}={}){
let vErrors = null;
let errors = 0;
if(errors === 0){
if(data && typeof data == "object" && !Array.isArray(data)){
let missing0;
if(((((data.status === undefined) && (missing0 = "status")) || ((data.info === undefined) && (missing0 = "info"))) || ((data.error === undefined) && (missing0 = "error"))) || ((data.details === undefined) && (missing0 = "details"))){
validate31.errors = [{instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: missing0},message:"must have required property '"+missing0+"'"}];
return false;
}
else {
if(data.status !== undefined){
let data0 = data.status;
const _errs1 = errors;
if(typeof data0 !== "string"){
validate31.errors = [{instancePath:instancePath+"/status",schemaPath:"#/properties/status/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
if(!(data0 === "ok")){
validate31.errors = [{instancePath:instancePath+"/status",schemaPath:"#/properties/status/enum",keyword:"enum",params:{allowedValues: schema44.properties.status.enum},message:"must be equal to one of the allowed values"}];
return false;
}
var valid0 = _errs1 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.info !== undefined){
let data1 = data.info;
const _errs3 = errors;
if(errors === _errs3){
if(data1 && typeof data1 == "object" && !Array.isArray(data1)){
for(const key0 in data1){
let data2 = data1[key0];
const _errs6 = errors;
if(errors === _errs6){
if(data2 && typeof data2 == "object" && !Array.isArray(data2)){
let missing1;
if((data2.status === undefined) && (missing1 = "status")){
validate31.errors = [{instancePath:instancePath+"/info/" + key0.replace(/~/g, "~0").replace(/\//g, "~1"),schemaPath:"#/properties/info/additionalProperties/required",keyword:"required",params:{missingProperty: missing1},message:"must have required property '"+missing1+"'"}];
return false;
}
else {
if(data2.status !== undefined){
if(typeof data2.status !== "string"){
validate31.errors = [{instancePath:instancePath+"/info/" + key0.replace(/~/g, "~0").replace(/\//g, "~1")+"/status",schemaPath:"#/properties/info/additionalProperties/properties/status/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
}
}
}
else {
validate31.errors = [{instancePath:instancePath+"/info/" + key0.replace(/~/g, "~0").replace(/\//g, "~1"),schemaPath:"#/properties/info/additionalProperties/type",keyword:"type",params:{type: "object"},message:"must be object"}];
return false;
}
}
var valid1 = _errs6 === errors;
if(!valid1){
break;
}
}
}
else {
validate31.errors = [{instancePath:instancePath+"/info",schemaPath:"#/properties/info/type",keyword:"type",params:{type: "object"},message:"must be object"}];
return false;
}
}
var valid0 = _errs3 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.error !== undefined){
let data4 = data.error;
const _errs10 = errors;
if(errors === _errs10){
if(data4 && typeof data4 == "object" && !Array.isArray(data4)){
for(const key1 in data4){
let data5 = data4[key1];
const _errs13 = errors;
if(errors === _errs13){
if(data5 && typeof data5 == "object" && !Array.isArray(data5)){
let missing2;
if((data5.status === undefined) && (missing2 = "status")){
validate31.errors = [{instancePath:instancePath+"/error/" + key1.replace(/~/g, "~0").replace(/\//g, "~1"),schemaPath:"#/properties/error/additionalProperties/required",keyword:"required",params:{missingProperty: missing2},message:"must have required property '"+missing2+"'"}];
return false;
}
else {
if(data5.status !== undefined){
if(typeof data5.status !== "string"){
validate31.errors = [{instancePath:instancePath+"/error/" + key1.replace(/~/g, "~0").replace(/\//g, "~1")+"/status",schemaPath:"#/properties/error/additionalProperties/properties/status/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
}
}
}
else {
validate31.errors = [{instancePath:instancePath+"/error/" + key1.replace(/~/g, "~0").replace(/\//g, "~1"),schemaPath:"#/properties/error/additionalProperties/type",keyword:"type",params:{type: "object"},message:"must be object"}];
return false;
}
}
var valid3 = _errs13 === errors;
if(!valid3){
break;
}
}
}
else {
validate31.errors = [{instancePath:instancePath+"/error",schemaPath:"#/properties/error/type",keyword:"type",params:{type: "object"},message:"must be object"}];
return false;
}
}
var valid0 = _errs10 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.details !== undefined){
let data7 = data.details;
const _errs17 = errors;
if(errors === _errs17){
if(data7 && typeof data7 == "object" && !Array.isArray(data7)){
for(const key2 in data7){
let data8 = data7[key2];
const _errs20 = errors;
if(errors === _errs20){
if(data8 && typeof data8 == "object" && !Array.isArray(data8)){
let missing3;
if((data8.status === undefined) && (missing3 = "status")){
validate31.errors = [{instancePath:instancePath+"/details/" + key2.replace(/~/g, "~0").replace(/\//g, "~1"),schemaPath:"#/properties/details/additionalProperties/required",keyword:"required",params:{missingProperty: missing3},message:"must have required property '"+missing3+"'"}];
return false;
}
else {
if(data8.status !== undefined){
if(typeof data8.status !== "string"){
validate31.errors = [{instancePath:instancePath+"/details/" + key2.replace(/~/g, "~0").replace(/\//g, "~1")+"/status",schemaPath:"#/properties/details/additionalProperties/properties/status/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
}
}
}
else {
validate31.errors = [{instancePath:instancePath+"/details/" + key2.replace(/~/g, "~0").replace(/\//g, "~1"),schemaPath:"#/properties/details/additionalProperties/type",keyword:"type",params:{type: "object"},message:"must be object"}];
return false;
}
}
var valid5 = _errs20 === errors;
if(!valid5){
break;
}
}
}
else {
validate31.errors = [{instancePath:instancePath+"/details",schemaPath:"#/properties/details/type",keyword:"type",params:{type: "object"},message:"must be object"}];
return false;
}
}
var valid0 = _errs17 === errors;
}
else {
var valid0 = true;
}
}
}
}
}
}
else {
validate31.errors = [{instancePath,schemaPath:"#/type",keyword:"type",params:{type: "object"},message:"must be object"}];
return false;
}
}
validate31.errors = vErrors;
return errors === 0;
}

exports["openapi.json#/paths/~1health~1ready/get/responses/200/content/application~1json/schema"] = validate32;
const schema45 = {"type":"object","required":["status","info","error","details"],"properties":{"status":{"type":"string","enum":["ok"]},"info":{"type":"object","additionalProperties":{"type":"object","required":["status"],"properties":{"status":{"type":"string","example":"up"}}}},"error":{"type":"object","additionalProperties":{"type":"object","required":["status"],"properties":{"status":{"type":"string","example":"up"}}}},"details":{"type":"object","additionalProperties":{"type":"object","required":["status"],"properties":{"status":{"type":"string","example":"up"}}}}}};

function validate32(data, {instancePath="", parentData, parentDataProperty, rootData=data}={}){
let vErrors = null;
let errors = 0;
if(errors === 0){
if(data && typeof data == "object" && !Array.isArray(data)){
let missing0;
if(((((data.status === undefined) && (missing0 = "status")) || ((data.info === undefined) && (missing0 = "info"))) || ((data.error === undefined) && (missing0 = "error"))) || ((data.details === undefined) && (missing0 = "details"))){
validate32.errors = [{instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: missing0},message:"must have required property '"+missing0+"'"}];
return false;
}
else {
if(data.status !== undefined){
let data0 = data.status;
const _errs1 = errors;
if(typeof data0 !== "string"){
validate32.errors = [{instancePath:instancePath+"/status",schemaPath:"#/properties/status/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
if(!(data0 === "ok")){
validate32.errors = [{instancePath:instancePath+"/status",schemaPath:"#/properties/status/enum",keyword:"enum",params:{allowedValues: schema45.properties.status.enum},message:"must be equal to one of the allowed values"}];
return false;
}
var valid0 = _errs1 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.info !== undefined){
let data1 = data.info;
const _errs3 = errors;
if(errors === _errs3){
if(data1 && typeof data1 == "object" && !Array.isArray(data1)){
for(const key0 in data1){
let data2 = data1[key0];
const _errs6 = errors;
if(errors === _errs6){
if(data2 && typeof data2 == "object" && !Array.isArray(data2)){
let missing1;
if((data2.status === undefined) && (missing1 = "status")){
validate32.errors = [{instancePath:instancePath+"/info/" + key0.replace(/~/g, "~0").replace(/\//g, "~1"),schemaPath:"#/properties/info/additionalProperties/required",keyword:"required",params:{missingProperty: missing1},message:"must have required property '"+missing1+"'"}];
return false;
}
else {
if(data2.status !== undefined){
if(typeof data2.status !== "string"){
validate32.errors = [{instancePath:instancePath+"/info/" + key0.replace(/~/g, "~0").replace(/\//g, "~1")+"/status",schemaPath:"#/properties/info/additionalProperties/properties/status/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
}
}
}
else {
validate32.errors = [{instancePath:instancePath+"/info/" + key0.replace(/~/g, "~0").replace(/\//g, "~1"),schemaPath:"#/properties/info/additionalProperties/type",keyword:"type",params:{type: "object"},message:"must be object"}];
return false;
}
}
var valid1 = _errs6 === errors;
if(!valid1){
break;
}
}
}
else {
validate32.errors = [{instancePath:instancePath+"/info",schemaPath:"#/properties/info/type",keyword:"type",params:{type: "object"},message:"must be object"}];
return false;
}
}
var valid0 = _errs3 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.error !== undefined){
let data4 = data.error;
const _errs10 = errors;
if(errors === _errs10){
if(data4 && typeof data4 == "object" && !Array.isArray(data4)){
for(const key1 in data4){
let data5 = data4[key1];
const _errs13 = errors;
if(errors === _errs13){
if(data5 && typeof data5 == "object" && !Array.isArray(data5)){
let missing2;
if((data5.status === undefined) && (missing2 = "status")){
validate32.errors = [{instancePath:instancePath+"/error/" + key1.replace(/~/g, "~0").replace(/\//g, "~1"),schemaPath:"#/properties/error/additionalProperties/required",keyword:"required",params:{missingProperty: missing2},message:"must have required property '"+missing2+"'"}];
return false;
}
else {
if(data5.status !== undefined){
if(typeof data5.status !== "string"){
validate32.errors = [{instancePath:instancePath+"/error/" + key1.replace(/~/g, "~0").replace(/\//g, "~1")+"/status",schemaPath:"#/properties/error/additionalProperties/properties/status/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
}
}
}
else {
validate32.errors = [{instancePath:instancePath+"/error/" + key1.replace(/~/g, "~0").replace(/\//g, "~1"),schemaPath:"#/properties/error/additionalProperties/type",keyword:"type",params:{type: "object"},message:"must be object"}];
return false;
}
}
var valid3 = _errs13 === errors;
if(!valid3){
break;
}
}
}
else {
validate32.errors = [{instancePath:instancePath+"/error",schemaPath:"#/properties/error/type",keyword:"type",params:{type: "object"},message:"must be object"}];
return false;
}
}
var valid0 = _errs10 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.details !== undefined){
let data7 = data.details;
const _errs17 = errors;
if(errors === _errs17){
if(data7 && typeof data7 == "object" && !Array.isArray(data7)){
for(const key2 in data7){
let data8 = data7[key2];
const _errs20 = errors;
if(errors === _errs20){
if(data8 && typeof data8 == "object" && !Array.isArray(data8)){
let missing3;
if((data8.status === undefined) && (missing3 = "status")){
validate32.errors = [{instancePath:instancePath+"/details/" + key2.replace(/~/g, "~0").replace(/\//g, "~1"),schemaPath:"#/properties/details/additionalProperties/required",keyword:"required",params:{missingProperty: missing3},message:"must have required property '"+missing3+"'"}];
return false;
}
else {
if(data8.status !== undefined){
if(typeof data8.status !== "string"){
validate32.errors = [{instancePath:instancePath+"/details/" + key2.replace(/~/g, "~0").replace(/\//g, "~1")+"/status",schemaPath:"#/properties/details/additionalProperties/properties/status/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
}
}
}
else {
validate32.errors = [{instancePath:instancePath+"/details/" + key2.replace(/~/g, "~0").replace(/\//g, "~1"),schemaPath:"#/properties/details/additionalProperties/type",keyword:"type",params:{type: "object"},message:"must be object"}];
return false;
}
}
var valid5 = _errs20 === errors;
if(!valid5){
break;
}
}
}
else {
validate32.errors = [{instancePath:instancePath+"/details",schemaPath:"#/properties/details/type",keyword:"type",params:{type: "object"},message:"must be object"}];
return false;
}
}
var valid0 = _errs17 === errors;
}
else {
var valid0 = true;
}
}
}
}
}
}
else {
validate32.errors = [{instancePath,schemaPath:"#/type",keyword:"type",params:{type: "object"},message:"must be object"}];
return false;
}
}
validate32.errors = vErrors;
return errors === 0;
}

exports["openapi.json#/paths/~1metrics/get/responses/200/content/text~1plain/schema"] = validate33;
const schema46 = {"type":"string"};

function validate33(data, {instancePath="", parentData, parentDataProperty, rootData=data}={}){
let vErrors = null;
let errors = 0;
if(typeof data !== "string"){
validate33.errors = [{instancePath,schemaPath:"#/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
validate33.errors = vErrors;
return errors === 0;
}

