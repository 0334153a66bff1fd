// A user error in a study, its flags or its shards: one line naming the file and what is wrong,
// printed as is with exit status 2 (as scenario errors are).
export class StudyError extends Error {
  readonly file: string;
  constructor(file: string, message: string) {
    super(file === '' ? message : `${file}: ${message}`);
    this.name = 'StudyError';
    this.file = file;
  }
}
