/** Training as a processor (annex art. 1, fourth purpose; GDPR Art. 28; issue 19): the public face of src/training. */
export { authorise, credentialsOf, engagementFor, type EngagementCredentials, type TrainingDeps } from './context.js';
export { addInstructions, createEngagement, getEngagement, listEngagements, type EngagementInput, type EngagementView } from './engagements.js';
export { addTrainee, correctTrainee, deleteTrainee, exportTrainee, importTrainees, listTrainees, type TraineeImportReport, type TraineeView } from './trainees.js';
export { gophishSignature, ingestGophish, type GophishOutcome } from './gophish.js';
export { queryStatements, statementProblems, storeStatements, XAPI_VERSION } from './xapi.js';
export { engagementReport, reportCsv, type EngagementReport } from './report.js';
export { claimDownload, closeEngagement, type CloseOptions, type CloseOutcome, type CrashPoint } from './close.js';
export { checkPackage, type PackageCheck } from './package-check.js';
export { checkUploadUrl, uploadPackage, PACKAGE_SHA256_HEADER, type UploadTarget } from './delivery.js';
export { certificatePublicKeyPem, signCertificate, verifyCertificate, type SignedCertificate } from './certificate.js';
export { TRAINING_CATALOGUE } from './catalogue-entries.js';
export type { EndChoice, Platform, TrainingTables } from './tables.js';
