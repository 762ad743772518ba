global using SourceTypes = TeacherPlatform.Core.Knowledge.SourceTypes;
